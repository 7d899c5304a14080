//! NumPy's random stream, reproduced bit for bit: `numpy.random.default_rng(seed)` in Rust.
//!
//! Three pieces make up NumPy's default generator, and each is reproduced here:
//!
//! 1. [`SeedSequence`] turns an integer seed into generator state by NumPy's hash mixing
//!    (O'Neill's `seed_seq` design with a pool of four 32-bit words).
//! 2. [`Pcg64`] is PCG-XSL-RR 128/64, NumPy's `PCG64` bit generator.
//! 3. [`StandardNormal`] is NumPy's 256-layer ziggurat for `Generator.standard_normal`, with
//!    its own tables, tail sampler and rejection test; [`standard_uniform`] is NumPy's
//!    `Generator.random`.
//!
//! ```
//! use initkit::numpy::{default_rng, StandardNormal};
//! use rand::distr::Distribution;
//!
//! let mut rng = default_rng(0);
//! // numpy.random.default_rng(0).standard_normal() == 0.1257302210933933
//! assert_eq!(StandardNormal.sample(&mut rng), 0.1257302210933933);
//! ```
//!
//! Draw order matters: NumPy fills arrays in row-major (C) order, one draw per element, so
//! `rng.standard_normal((m, n))` is the same stream as `m * n` single draws.

mod ziggurat;

use crate::error::{Error, Result, with_capacity};
use rand::distr::Distribution;
use rand::{Rng, TryRng};
use std::convert::Infallible;

const POOL_SIZE: usize = 4;
const INIT_A: u32 = 0x43b0_d7e5;
const MULT_A: u32 = 0x931e_8875;
const INIT_B: u32 = 0x8b51_f9dd;
const MULT_B: u32 = 0x58f3_8ded;
const MIX_MULT_L: u32 = 0xca01_f9dd;
const MIX_MULT_R: u32 = 0x4973_f715;
const XSHIFT: u32 = 16;

/// NumPy's `SeedSequence`: mixes the entropy of a seed into a pool of four 32-bit words, from
/// which generator state is drawn.
///
/// Only the entropy argument is modelled (no `spawn_key`), which is what `default_rng(seed)`
/// uses for a non-negative integer seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedSequence {
    pool: [u32; POOL_SIZE],
}

struct HashConst(u32);

impl HashConst {
    fn hashmix(&mut self, value: u32) -> u32 {
        let mut value = value ^ self.0;
        self.0 = self.0.wrapping_mul(MULT_A);
        value = value.wrapping_mul(self.0);
        value ^ (value >> XSHIFT)
    }
}

fn mix(x: u32, y: u32) -> u32 {
    let result = MIX_MULT_L
        .wrapping_mul(x)
        .wrapping_sub(MIX_MULT_R.wrapping_mul(y));
    result ^ (result >> XSHIFT)
}

impl SeedSequence {
    /// The sequence for an integer seed, as `numpy.random.SeedSequence(seed)` builds it.
    pub fn new(seed: u128) -> Self {
        // NumPy splits an integer into 32-bit words, least significant first, and keeps at
        // least one word (so 0 is `[0]`).
        let mut words = Vec::with_capacity(4);
        let mut rest = seed;
        loop {
            words.push(rest as u32);
            rest >>= 32;
            if rest == 0 {
                break;
            }
        }
        Self::from_words(&words)
    }

    /// The sequence for entropy given as 32-bit words, least significant first: what NumPy
    /// does with an integer of any size, or with a `uint32` array passed as entropy.
    ///
    /// For an integer seed above `u128::MAX`, pass its words without trailing zero words, as
    /// NumPy's own conversion does.
    pub fn from_words(entropy: &[u32]) -> Self {
        let mut pool = [0u32; POOL_SIZE];
        let mut hash = HashConst(INIT_A);
        for (i, slot) in pool.iter_mut().enumerate() {
            *slot = hash.hashmix(entropy.get(i).copied().unwrap_or(0));
        }
        for src in 0..POOL_SIZE {
            for dst in 0..POOL_SIZE {
                if src != dst {
                    let h = hash.hashmix(pool[src]);
                    pool[dst] = mix(pool[dst], h);
                }
            }
        }
        for &word in entropy.iter().skip(POOL_SIZE) {
            for slot in pool.iter_mut() {
                let h = hash.hashmix(word);
                *slot = mix(*slot, h);
            }
        }
        SeedSequence { pool }
    }

    /// `generate_state(n_words, dtype=np.uint64)`: 64-bit words of generator state, each made of
    /// two consecutive 32-bit outputs, the first as the low half.
    ///
    /// # Errors
    ///
    /// [`Error::OutOfMemory`] when `n_words` words cannot be held.
    pub fn generate_state_u64(&self, n_words: usize) -> Result<Vec<u64>> {
        let halves = n_words.checked_mul(2).ok_or(Error::OutOfMemory {
            what: "generator state",
            bytes: None,
        })?;
        let words = self.generate_state_u32(halves)?;
        let mut out = with_capacity("generator state", n_words)?;
        out.extend(
            words
                .chunks_exact(2)
                .map(|w| u64::from(w[0]) | (u64::from(w[1]) << 32)),
        );
        Ok(out)
    }

    /// `generate_state(n_words, dtype=np.uint32)`.
    ///
    /// # Errors
    ///
    /// [`Error::OutOfMemory`] when `n_words` words cannot be held.
    pub fn generate_state_u32(&self, n_words: usize) -> Result<Vec<u32>> {
        let mut out = with_capacity("generator state", n_words)?;
        out.extend(self.state_words().take(n_words));
        Ok(out)
    }

    /// The endless stream of 32-bit state words that `generate_state` takes its words from.
    fn state_words(&self) -> impl Iterator<Item = u32> + '_ {
        let mut hash_const = INIT_B;
        (0..).map(move |i| {
            let mut value = self.pool[i % POOL_SIZE] ^ hash_const;
            hash_const = hash_const.wrapping_mul(MULT_B);
            value = value.wrapping_mul(hash_const);
            value ^ (value >> XSHIFT)
        })
    }

    /// The four 64-bit words that seed [`Pcg64`].
    fn pcg_state(&self) -> [u64; 4] {
        let mut words = [0u32; 8];
        for (word, value) in words.iter_mut().zip(self.state_words()) {
            *word = value;
        }
        std::array::from_fn(|i| u64::from(words[2 * i]) | (u64::from(words[2 * i + 1]) << 32))
    }
}

const PCG_MULTIPLIER: u128 = 0x2360_ed05_1fc6_5da4_4385_df64_9fcc_f645;

/// NumPy's `PCG64` bit generator: a 128-bit linear congruential generator with the XSL-RR
/// output function, giving 64 bits per step.
///
/// It implements rand's [`TryRng`] (and so [`Rng`]), so any function that takes an `Rng` can
/// draw from NumPy's stream. `next_u32` hands out the two halves of one 64-bit output, low half
/// first, as NumPy's `random_raw`-based 32-bit draws do. `fill_bytes` uses rand's little-endian
/// convention; NumPy's `Generator.bytes` is not reproduced.
///
/// `SeedableRng` is deliberately not implemented: its `seed_from_u64` would seed differently
/// from NumPy. Use [`default_rng`] or [`Pcg64::from_seed_sequence`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pcg64 {
    state: u128,
    increment: u128,
    spare_u32: Option<u32>,
}

impl Pcg64 {
    /// Seeds the generator as NumPy's `PCG64(seed_sequence)` does: four 64-bit state words,
    /// the first two (high word first) as the initial state, the last two as the stream.
    pub fn from_seed_sequence(seq: &SeedSequence) -> Self {
        let w = seq.pcg_state();
        let state = (u128::from(w[0]) << 64) | u128::from(w[1]);
        let stream = (u128::from(w[2]) << 64) | u128::from(w[3]);
        Self::from_state_and_stream(state, stream)
    }

    /// PCG's own seeding: `srandom(initstate, initseq)`.
    pub fn from_state_and_stream(state: u128, stream: u128) -> Self {
        let mut rng = Pcg64 {
            state: 0,
            increment: (stream << 1) | 1,
            spare_u32: None,
        };
        rng.step();
        rng.state = rng.state.wrapping_add(state);
        rng.step();
        rng
    }

    #[inline(always)]
    fn step(&mut self) {
        self.state = self
            .state
            .wrapping_mul(PCG_MULTIPLIER)
            .wrapping_add(self.increment);
    }

    /// The next 64-bit output (NumPy's `random_raw`).
    #[inline(always)]
    pub fn next_raw(&mut self) -> u64 {
        self.step();
        xsl_rr(self.state)
    }

    /// The next double in `[0, 1)`, as NumPy's `Generator.random()` makes it.
    #[inline]
    pub fn next_f64(&mut self) -> f64 {
        to_unit_f64(self.next_raw())
    }

    /// Fills `out` with standard normals: the same values, in the same order, as
    /// [`StandardNormal`] sampled `out.len()` times, and as NumPy's
    /// `rng.standard_normal(out.len())`.
    ///
    /// This is the fast path for bulk draws: the state stays in registers for the whole loop.
    /// It is never inlined, because inside a larger loop the state would be spilled to memory.
    #[inline(never)]
    pub fn fill_standard_normal(&mut self, out: &mut [f64]) {
        use ziggurat::KI;
        let increment = self.increment;
        let mut state = self.state;
        for v in out {
            *v = loop {
                state = state.wrapping_mul(PCG_MULTIPLIER).wrapping_add(increment);
                let (layer, magnitude, x) = ziggurat_point(xsl_rr(state));
                if magnitude < KI[layer] {
                    break x;
                }
                // The rare path gets a copy of the state, so the loop's copy never has to
                // live in memory.
                let mut slow = Pcg64 {
                    state,
                    increment,
                    spare_u32: None,
                };
                let accepted = wedge_or_tail(&mut slow, layer, magnitude, x);
                state = slow.state;
                if let Some(x) = accepted {
                    break x;
                }
            };
        }
        self.state = state;
    }

    /// Moves the generator forward by `delta` 64-bit outputs, in O(log delta) steps, as NumPy's
    /// `PCG64.advance(delta)` does.
    pub fn advance(&mut self, delta: u128) {
        // Brown's jump-ahead: compose the affine map x -> a*x + c with itself by squaring.
        let (mut acc_mult, mut acc_plus) = (1u128, 0u128);
        let (mut cur_mult, mut cur_plus) = (PCG_MULTIPLIER, self.increment);
        let mut delta = delta;
        while delta > 0 {
            if delta & 1 == 1 {
                acc_mult = acc_mult.wrapping_mul(cur_mult);
                acc_plus = acc_plus.wrapping_mul(cur_mult).wrapping_add(cur_plus);
            }
            cur_plus = cur_mult.wrapping_add(1).wrapping_mul(cur_plus);
            cur_mult = cur_mult.wrapping_mul(cur_mult);
            delta >>= 1;
        }
        self.state = acc_mult.wrapping_mul(self.state).wrapping_add(acc_plus);
        self.spare_u32 = None;
    }
}

/// PCG's XSL-RR output: the two halves xored, rotated by the top six bits.
#[inline(always)]
fn xsl_rr(state: u128) -> u64 {
    (((state >> 64) as u64) ^ (state as u64)).rotate_right((state >> 122) as u32)
}

/// One 64-bit draw read as NumPy reads it: 8 bits pick the layer, 1 bit the sign and 52 bits
/// the magnitude; returns `(layer, magnitude, x)`, `x` being the magnitude scaled to the layer.
#[inline(always)]
fn ziggurat_point(bits: u64) -> (usize, u64, f64) {
    let layer = (bits & 0xff) as usize;
    let bits = bits >> 8;
    let magnitude = (bits >> 1) & 0x000f_ffff_ffff_ffff;
    // The sign is a coin flip, so a branch on it would be mispredicted half the time; flipping the
    // sign bit gives the same double as negation. `magnitude < 2^52` converts exactly through
    // i64, which is one instruction where u64 needs several.
    let scaled = magnitude as i64 as f64 * ziggurat::WI[layer];
    (
        layer,
        magnitude,
        f64::from_bits(scaled.to_bits() ^ (bits << 63)),
    )
}

/// NumPy's generator for a non-negative integer seed: `numpy.random.default_rng(seed)`.
///
/// Seeds wider than 128 bits go through [`SeedSequence::from_words`].
///
/// ```
/// use initkit::numpy::default_rng;
/// // The same seed gives the same stream, here and in NumPy.
/// let (mut a, mut b) = (default_rng(42), default_rng(42));
/// assert!((0..1000).all(|_| a.next_raw() == b.next_raw()));
/// assert_ne!(default_rng(42).next_raw(), default_rng(43).next_raw());
/// ```
pub fn default_rng(seed: u128) -> Pcg64 {
    Pcg64::from_seed_sequence(&SeedSequence::new(seed))
}

impl TryRng for Pcg64 {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> std::result::Result<u32, Infallible> {
        if let Some(half) = self.spare_u32.take() {
            return Ok(half);
        }
        let next = self.next_raw();
        self.spare_u32 = Some((next >> 32) as u32);
        Ok(next as u32)
    }

    fn try_next_u64(&mut self) -> std::result::Result<u64, Infallible> {
        Ok(self.next_raw())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> std::result::Result<(), Infallible> {
        let mut chunks = dst.chunks_exact_mut(8);
        for chunk in &mut chunks {
            chunk.copy_from_slice(&self.next_raw().to_le_bytes());
        }
        let rest = chunks.into_remainder();
        if !rest.is_empty() {
            let bytes = self.next_raw().to_le_bytes();
            rest.copy_from_slice(&bytes[..rest.len()]);
        }
        Ok(())
    }
}

#[inline(always)]
fn to_unit_f64(raw: u64) -> f64 {
    ((raw >> 11) as i64 as f64) * (1.0 / 9_007_199_254_740_992.0)
}

/// A double in `[0, 1)` from any generator, by NumPy's rule: the top 53 bits of a 64-bit draw.
pub fn standard_uniform<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    to_unit_f64(rng.next_u64())
}

/// NumPy's standard normal sampler (`Generator.standard_normal`): a 256-layer ziggurat.
///
/// Each draw takes one 64-bit output: 8 bits pick the layer, 1 bit the sign and 52 bits the
/// magnitude. About 99.3% of draws are accepted at once; the rest go through the wedge test
/// (one more uniform) or, in the base layer, Marsaglia's tail sampler beyond `r ≈ 3.654`.
/// With [`Pcg64`] it yields NumPy's values bit for bit; with any other [`Rng`] it is still an
/// exact standard normal sampler. Marsaglia & Tsang, "The Ziggurat Method for Generating
/// Random Variables", *Journal of Statistical Software* 5(8), 2000.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StandardNormal;

impl Distribution<f64> for StandardNormal {
    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        use ziggurat::KI;
        loop {
            let (layer, magnitude, x) = ziggurat_point(rng.next_u64());
            if magnitude < KI[layer] {
                return x;
            }
            if let Some(x) = wedge_or_tail(rng, layer, magnitude, x) {
                return x;
            }
        }
    }
}

/// The 0.7% of draws outside a layer's rectangle core: the wedge test, or the tail beyond `R`
/// for the base layer. Kept out of line so the fast path keeps its registers.
#[cold]
#[inline(never)]
fn wedge_or_tail<R: Rng + ?Sized>(
    rng: &mut R,
    layer: usize,
    magnitude: u64,
    x: f64,
) -> Option<f64> {
    use ziggurat::{FI, INV_R, R};
    if layer == 0 {
        loop {
            // 1 - U keeps the logarithm away from zero, as NumPy does.
            let xx = -INV_R * (-standard_uniform(rng)).ln_1p();
            let yy = -(-standard_uniform(rng)).ln_1p();
            if yy + yy > xx * xx {
                return Some(if (magnitude >> 8) & 1 == 1 {
                    -(R + xx)
                } else {
                    R + xx
                });
            }
        }
    }
    let edge = (FI[layer - 1] - FI[layer]) * standard_uniform(rng) + FI[layer];
    (edge < (-0.5 * x * x).exp()).then_some(x)
}

/// Fills `out` with standard normals in order, as `rng.standard_normal(out.len())` does.
pub fn fill_standard_normal<R: Rng + ?Sized>(rng: &mut R, out: &mut [f64]) {
    for v in out {
        *v = StandardNormal.sample(rng);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // First draws of numpy.random.default_rng(0), from the lesson's reference file.
    const FIRST_NORMALS_SEED_0: [f64; 8] = [
        0.1257302210933933,
        -0.1321048632913019,
        0.6404226504432821,
        0.10490011715303971,
        -0.535669373161111,
        0.36159505490948474,
        1.3040000451301372,
        0.9470809631292422,
    ];

    #[test]
    fn first_normals_of_seed_zero_match_numpy() {
        let mut rng = default_rng(0);
        let got: Vec<f64> = (0..8).map(|_| StandardNormal.sample(&mut rng)).collect();
        assert_eq!(got, FIRST_NORMALS_SEED_0);
    }

    #[test]
    fn bulk_fill_equals_single_draws() {
        let mut bulk = default_rng(2024);
        let mut single = bulk.clone();
        let mut out = vec![0.0; 200_000];
        bulk.fill_standard_normal(&mut out);
        for (i, v) in out.iter().enumerate() {
            assert_eq!(
                v.to_bits(),
                StandardNormal.sample(&mut single).to_bits(),
                "draw {i}"
            );
        }
        assert_eq!(bulk, single);
    }

    #[test]
    fn seed_sequence_splits_wide_integers_into_words() {
        let seed = (7u128 << 64) | 5;
        assert_eq!(
            SeedSequence::new(seed),
            SeedSequence::from_words(&[5, 0, 7])
        );
        assert_eq!(SeedSequence::new(0), SeedSequence::from_words(&[0]));
    }

    #[test]
    fn generated_state_agrees_across_word_sizes() {
        let seq = SeedSequence::new(12345);
        let halves = seq.generate_state_u32(8).unwrap();
        let words = seq.generate_state_u64(4).unwrap();
        assert_eq!(words.as_slice(), seq.pcg_state().as_slice());
        assert_eq!(
            words[1],
            u64::from(halves[2]) | (u64::from(halves[3]) << 32)
        );
        assert!(matches!(
            seq.generate_state_u64(usize::MAX),
            Err(Error::OutOfMemory { .. })
        ));
        assert!(matches!(
            seq.generate_state_u32(usize::MAX),
            Err(Error::OutOfMemory { .. })
        ));
    }

    #[test]
    fn u32_draws_split_one_u64_low_half_first() {
        let mut a = default_rng(3);
        let mut b = a.clone();
        let raw = b.next_raw();
        assert_eq!(a.next_u32(), raw as u32);
        assert_eq!(a.next_u32(), (raw >> 32) as u32);
        assert_eq!(a.next_u64(), b.next_raw());
    }

    #[test]
    fn advance_equals_stepping() {
        let mut jumped = default_rng(11);
        let mut stepped = jumped.clone();
        jumped.advance(1000);
        for _ in 0..1000 {
            stepped.next_raw();
        }
        assert_eq!(jumped, stepped);
        assert_eq!(jumped.next_raw(), stepped.next_raw());
    }

    #[test]
    fn fill_bytes_is_little_endian_u64s() {
        let mut a = default_rng(5);
        let mut b = a.clone();
        let mut bytes = [0u8; 12];
        a.fill_bytes(&mut bytes);
        assert_eq!(bytes[..8], b.next_raw().to_le_bytes());
        assert_eq!(bytes[8..], b.next_raw().to_le_bytes()[..4]);
    }
}
