//! STUB: the traffic helper replaces this file.

/// Reassembles `TransitionChunk` frames of one socket into the Transition's JSON text (bounded memory).
#[derive(Debug, Default)]
pub struct ChunkAssembler {}

impl ChunkAssembler {
    /// Feeds one parsed chunk; returns the whole Transition text when its last part arrived.
    pub fn push(
        &mut self,
        _transition_id: &str,
        _part: u32,
        _total: u32,
        _chunk: &str,
    ) -> Result<Option<String>, String> {
        Ok(None)
    }
}
