//! STUB: the traffic helper replaces this file.
use crate::event::Event;

/// What reading a HAR file gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HarStats {
    pub entries: u64,
    pub frames: u64,
}

/// Streams a HAR file (Chrome's, with `_webSocketMessages`, or Firefox's) into events, never holding the whole
/// document. Only Convex traffic is passed on.
pub fn read_har<R: std::io::Read>(
    _reader: R,
    _sink: &mut dyn FnMut(Event),
) -> Result<HarStats, String> {
    Ok(HarStats::default())
}
