//! Seeds and the draw's one stream of random numbers.
//!
//! The stream is ChaCha20 keyed by `SHA-256("spotcheck-draw/1" ‖ seed as 8 bytes
//! big-endian)`, so that any ChaCha20 implementation reproduces it; every random
//! number the draw takes is a [`DrawRng::uniform`] below `n`.

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

use super::ALGORITHM;

/// The seed for a text announced before the draw (a lottery result, say):
/// the first 8 bytes of SHA-256 of its UTF-8 bytes, big-endian, as in RFC 3797.
#[must_use]
pub fn seed_from_text(text: &str) -> u64 {
    let digest = Sha256::digest(text.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

/// The 32-byte ChaCha20 key a seed stands for.
#[must_use]
pub fn chacha_key(seed: u64) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(ALGORITHM.as_bytes());
    hasher.update(seed.to_be_bytes());
    hasher.finalize().into()
}

/// What names a replacement's stream: its key is SHA-256 of these bytes, the
/// seed as 8 bytes big-endian, then the replacement's ordinal as 8 bytes big-endian.
pub const REPLACEMENT_LABEL: &str = "spotcheck-draw/1 replacement";

/// The 32-byte ChaCha20 key of a draw's `ordinal`-th replacement (from 1).
#[must_use]
pub fn replacement_key(seed: u64, ordinal: u64) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(REPLACEMENT_LABEL.as_bytes());
    hasher.update(seed.to_be_bytes());
    hasher.update(ordinal.to_be_bytes());
    hasher.finalize().into()
}

/// One random number as the draw took it, for worked examples and debugging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceEntry {
    /// The bound: the result is below it.
    pub n: u64,
    /// The 64-bit words read, the last one accepted.
    pub words: u32,
    /// The result.
    pub value: u64,
}

/// The draw's random numbers, optionally recorded.
pub(crate) struct DrawRng<'t> {
    rng: ChaCha20Rng,
    trace: Option<&'t mut Vec<TraceEntry>>,
}

impl<'t> DrawRng<'t> {
    pub fn new(seed: u64, trace: Option<&'t mut Vec<TraceEntry>>) -> Self {
        Self::keyed(chacha_key(seed), trace)
    }

    /// The stream of another 32-byte key (a replacement's, say).
    pub fn keyed(key: [u8; 32], trace: Option<&'t mut Vec<TraceEntry>>) -> Self {
        Self {
            rng: ChaCha20Rng::from_seed(key),
            trace,
        }
    }

    /// A uniform integer in `0..n` (`n ≥ 1`) by rejection: 64-bit words `x` are read
    /// until `x < 2⁶⁴ − (2⁶⁴ mod n)`, and the result is `x mod n`. Always reads at
    /// least one word, even for `n = 1`.
    pub fn uniform(&mut self, n: u64) -> u64 {
        let n = n.max(1);
        // 2^64 mod n, computed without 128-bit arithmetic.
        let rejected = (u64::MAX % n + 1) % n;
        let mut words = 0;
        loop {
            let x = self.rng.next_u64();
            words += 1;
            if rejected == 0 || x <= u64::MAX - rejected {
                let value = x % n;
                if let Some(trace) = self.trace.as_deref_mut() {
                    trace.push(TraceEntry { n, words, value });
                }
                return value;
            }
        }
    }

    /// [`Self::uniform`] for counts held as `usize`.
    pub fn index(&mut self, n: usize) -> usize {
        // usize is at most 64 bits on every supported target, so both casts are exact.
        self.uniform(n as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_text_uses_the_first_eight_bytes_of_its_sha256() {
        // SHA-256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 ...
        assert_eq!(seed_from_text("abc"), 0xba78_16bf_8f01_cfea);
    }

    #[test]
    fn the_stream_is_plain_chacha20_read_as_little_endian_words() {
        // RFC 8439 appendix A.1, test vectors 1 and 2: all-zero key and nonce,
        // blocks 0 and 1 of the keystream.
        let mut rng = ChaCha20Rng::from_seed([0; 32]);
        assert_eq!(
            rng.next_u64(),
            u64::from_le_bytes([0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90])
        );
        for _ in 1..8 {
            rng.next_u64();
        }
        assert_eq!(
            rng.next_u64(),
            u64::from_le_bytes([0x9f, 0x07, 0xe7, 0xbe, 0x55, 0x51, 0x38, 0x7a]),
            "the ninth word starts block 1"
        );
    }

    #[test]
    fn uniform_stays_below_its_bound_and_reads_one_word_when_nothing_is_rejected() {
        let mut trace = Vec::new();
        let mut rng = DrawRng::new(7, Some(&mut trace));
        for n in [1, 2, 3, 10, 1 << 40, u64::MAX] {
            assert!(rng.uniform(n) < n, "bound {n}");
        }
        assert!(trace.iter().all(|t| t.words == 1));
    }

    #[test]
    fn uniform_rejects_words_in_the_incomplete_last_interval() {
        // For n = 2^63 + 1 almost half of all words are rejected.
        let n = (1u64 << 63) + 1;
        let mut trace = Vec::new();
        let mut rng = DrawRng::new(1, Some(&mut trace));
        for _ in 0..64 {
            assert!(rng.uniform(n) < n);
        }
        assert!(trace.iter().any(|t| t.words > 1), "some words are rejected");
    }
}
