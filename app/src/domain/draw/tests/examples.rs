//! The worked examples of docs/draw-algorithm.md.
