//! Renderers of a report: text for a terminal, markdown for a support thread. Pure functions to `String`.
