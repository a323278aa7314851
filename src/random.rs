//! Random numbers: a check's replayable inputs ([`draw_u64`], [`random_in`],
//! seeded per check by [`seed_inputs`]) and unique names ([`random_u64`]).

thread_local! {
    /// The state of this thread's input stream, once [`seed_inputs`] set it.
    static INPUTS: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
}

/// Make this thread's inputs ([`draw_u64`], [`random_in`]) a replayable
/// stream: the same `seed` and `check` name give the same inputs, in the
/// same order, whichever other checks run before or beside it. `labkit
/// grade` seeds each check's thread from its `--seed`.
pub fn seed_inputs(seed: u64, check: &str) {
    // FNV-1a of the check's name, mixed into the seed.
    let name = check.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    INPUTS.with(|s| s.set(Some(seed ^ name)));
}

/// The next input of the check running on this thread: from its seeded
/// stream ([`seed_inputs`], splitmix64), or from the kernel if unseeded.
/// Inputs only: a name that must be unique (a scratch file) uses
/// [`random_u64`], which a seed never repeats.
pub fn draw_u64() -> u64 {
    INPUTS.with(|s| match s.get() {
        None => random_u64(),
        Some(state) => {
            let state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            s.set(Some(state));
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
    })
}

/// A random number from the kernel (`getrandom(2)`), never replayed: for
/// unique names. A check's *inputs* come from [`draw_u64`] and
/// [`random_in`], so that `--seed` replays them.
pub fn random_u64() -> u64 {
    let mut buf = [0u8; 8];
    // SAFETY: writes at most 8 bytes into `buf`.
    let got = unsafe { libc::getrandom(buf.as_mut_ptr().cast(), buf.len(), 0) };
    if got != 8 {
        // Practically unreachable; fall back to the clock so inputs still vary.
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        return t.as_nanos() as u64 ^ u64::from(std::process::id());
    }
    u64::from_ne_bytes(buf)
}

/// A check's input in `lo..=hi` (see [`draw_u64`]).
pub fn random_in(lo: u64, hi: u64) -> u64 {
    lo + draw_u64() % (hi - lo + 1)
}
