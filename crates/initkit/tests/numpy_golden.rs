//! initkit against NumPy's own output (tests/golden/numpy.json, written by tools/golden.py).

use initkit::Propagation;
use initkit::numpy::{Pcg64, SeedSequence, StandardNormal};
use rand::distr::Distribution;
use serde_json::Value;
use sha2::{Digest, Sha256};

fn golden() -> Value {
    let text = include_str!("golden/numpy.json");
    serde_json::from_str(text).expect("golden/numpy.json is valid JSON")
}

fn rng_for(stream: &Value) -> Pcg64 {
    let words: Vec<u32> = stream["seed_words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| u32::try_from(w.as_u64().unwrap()).unwrap())
        .collect();
    let rng = Pcg64::from_seed_sequence(&SeedSequence::from_words(&words));
    if let Ok(seed) = stream["seed"].as_str().unwrap().parse::<u128>() {
        assert_eq!(rng, Pcg64::from_seed_sequence(&SeedSequence::new(seed)));
    }
    rng
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn assert_bits(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g.to_bits(), w.to_bits(), "{what}[{i}]: {g:e} != {w:e}");
    }
}

#[test]
fn raw_outputs_match_numpy_pcg64() {
    for stream in golden()["streams"].as_array().unwrap() {
        let mut rng = rng_for(stream);
        for (i, hex) in stream["raw_u64_hex"].as_array().unwrap().iter().enumerate() {
            let want = u64::from_str_radix(hex.as_str().unwrap(), 16).unwrap();
            assert_eq!(rng.next_raw(), want, "seed {} raw[{i}]", stream["seed"]);
        }
    }
}

#[test]
fn doubles_match_numpy_random() {
    for stream in golden()["streams"].as_array().unwrap() {
        let mut rng = rng_for(stream);
        let got: Vec<f64> = (0..1000).map(|_| rng.next_f64()).collect();
        assert_bits(
            &got,
            &floats(&stream["doubles"]),
            &format!("seed {} doubles", stream["seed"]),
        );
    }
}

#[test]
fn a_million_normals_match_numpy_bit_for_bit() {
    for stream in golden()["streams"].as_array().unwrap() {
        let seed = stream["seed"].as_str().unwrap();
        let want = &stream["normals"];
        let count = want["count"].as_u64().unwrap() as usize;
        let mut rng = rng_for(stream);
        let got: Vec<f64> = (0..count)
            .map(|_| StandardNormal.sample(&mut rng))
            .collect();
        // The written-out values locate a mismatch; the digest covers every value.
        assert_bits(
            &got[..1000],
            &floats(&want["first"]),
            &format!("seed {seed} normals"),
        );
        let strided: Vec<f64> = got.iter().step_by(1000).copied().collect();
        assert_bits(
            &strided,
            &floats(&want["every_1000th"]),
            &format!("seed {seed} every 1000th"),
        );
        let mut hasher = Sha256::new();
        for v in &got {
            hasher.update(v.to_le_bytes());
        }
        let digest: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            digest,
            want["sha256_le"].as_str().unwrap(),
            "seed {seed}: SHA-256 of all normals"
        );
    }
}

#[test]
fn propagation_matches_numpy() {
    // initkit sums each dot product in the order of NumPy's OpenBLAS kernel, so widths that are
    // multiples of 4 match to the bit. For other widths the last few terms are added in another
    // order; the difference is a few rounding errors, far inside 1e-13 relative.
    for case in golden()["propagate"].as_array().unwrap() {
        let n_layers = case["n_layers"].as_u64().unwrap() as usize;
        let init_std = case["init_std"].as_f64().unwrap();
        let width = case["width"].as_u64().unwrap() as usize;
        let seed: u128 = case["seed"].as_str().unwrap().parse().unwrap();
        let want = case["variance"].as_f64().unwrap();
        let got = Propagation { width, seed }
            .output_variance(n_layers, init_std)
            .unwrap();
        if width % 4 == 0 {
            assert_eq!(got.to_bits(), want.to_bits(), "{case}: got {got:e}");
        } else {
            let rel = ((got - want) / want).abs();
            assert!(rel < 1e-13, "{case}: got {got:e}, relative error {rel:e}");
        }
    }
}
