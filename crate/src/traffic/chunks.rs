//! Reassembly of `TransitionChunk` frames.
//!
//! The backend splits a Transition over ~5 MB into `TransitionChunk`s (`chunk`, `partNumber`, `totalParts`,
//! `transitionId`) sent back to back on one socket. The real client (`assembleTransition` in
//! `web_socket_manager.ts`) accepts parts only in order and clears its buffer on any inconsistency; this follows
//! it, with two differences that suit a diagnostic tool reading captured traffic: memory is capped (a hostile or
//! corrupt capture must not grow the buffer without bound), and a part 0 of a new `transitionId` replaces an
//! unfinished one instead of failing (a capture can lose the tail of a transition; the next one is still good).

/// Largest reassembled Transition kept, in bytes. Real chunked transitions are a few times the 5 MB split size.
pub const MAX_TRANSITION_BYTES: usize = 64 * 1024 * 1024;
/// Largest `totalParts` accepted.
pub const MAX_PARTS: u32 = 4096;

/// Reassembles `TransitionChunk` frames of one socket into the Transition's JSON text (bounded memory).
/// Use one per socket.
#[derive(Debug, Default)]
pub struct ChunkAssembler {
    current: Option<Pending>,
}

#[derive(Debug)]
struct Pending {
    transition_id: String,
    total: u32,
    next_part: u32,
    text: String,
}

impl ChunkAssembler {
    /// Feeds one parsed chunk; returns the whole Transition text when its last part arrived.
    ///
    /// Errors (state reset): `part >= total`, `total` of 0 or over [`MAX_PARTS`], a part out of order or missing,
    /// a `total` that changed within one transition, a text over [`MAX_TRANSITION_BYTES`].
    pub fn push(
        &mut self,
        transition_id: &str,
        part: u32,
        total: u32,
        chunk: &str,
    ) -> Result<Option<String>, String> {
        if total == 0 || total > MAX_PARTS || part >= total {
            self.current = None;
            return Err(format!("invalid TransitionChunk: part {part} of {total}"));
        }
        // A new transition: drop an unfinished one (its tail was lost).
        if self
            .current
            .as_ref()
            .is_some_and(|p| p.transition_id != transition_id)
        {
            self.current = None;
        }
        let pending = match self.current.take() {
            Some(p) => p,
            None => {
                if part != 0 {
                    return Err(format!(
                        "TransitionChunk received out of order: expected part 0 of {transition_id}, got {part}"
                    ));
                }
                Pending {
                    transition_id: transition_id.to_string(),
                    total,
                    next_part: 0,
                    text: String::new(),
                }
            }
        };
        if pending.total != total {
            return Err(format!(
                "TransitionChunk totalParts changed within {transition_id}: {} then {total}",
                pending.total
            ));
        }
        if part != pending.next_part {
            return Err(format!(
                "TransitionChunk received out of order: expected part {}, got {part}",
                pending.next_part
            ));
        }
        if pending.text.len().saturating_add(chunk.len()) > MAX_TRANSITION_BYTES {
            return Err(format!(
                "chunked Transition {transition_id} exceeds {MAX_TRANSITION_BYTES} bytes"
            ));
        }
        let mut pending = pending;
        // Exactly what this part adds: doubling growth would let a 64 MiB transition hold up to 128 MiB.
        pending.text.reserve_exact(chunk.len());
        pending.text.push_str(chunk);
        pending.next_part += 1;
        if pending.next_part == pending.total {
            return Ok(Some(pending.text));
        }
        self.current = Some(pending);
        Ok(None)
    }

    /// Drops an unfinished transition. The real client does this when any other message arrives while it is
    /// buffering chunks ("Received unexpected … while buffering TransitionChunks"), and on a new socket.
    pub fn reset(&mut self) {
        self.current = None;
    }

    /// Bytes held for an unfinished transition (its buffer's capacity), for budgets across sockets.
    pub fn pending_bytes(&self) -> usize {
        self.current.as_ref().map_or(0, |p| p.text.capacity())
    }

    /// Whether parts of a transition are waiting for the rest.
    pub fn is_buffering(&self) -> bool {
        self.current.is_some()
    }
}
