//! Server configuration the engine acts on (`CONFIG GET`/`SET` parameters), with Redis 7.0's
//! defaults.

/// `maxmemory-policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EvictionPolicy {
    /// Refuse writes that need memory (Redis's default).
    #[default]
    NoEviction,
    /// Evict any key, least recently used first.
    AllKeysLru,
    /// Evict any key, least frequently used first.
    AllKeysLfu,
    /// Evict any key at random.
    AllKeysRandom,
    /// Evict keys with an expire time, least recently used first.
    VolatileLru,
    /// Evict keys with an expire time, least frequently used first.
    VolatileLfu,
    /// Evict keys with an expire time at random.
    VolatileRandom,
    /// Evict keys with an expire time, soonest to expire first.
    VolatileTtl,
}

impl EvictionPolicy {
    /// Whether access frequency (rather than recency) is tracked.
    pub fn is_lfu(self) -> bool {
        matches!(
            self,
            EvictionPolicy::AllKeysLfu | EvictionPolicy::VolatileLfu
        )
    }
}

/// The configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// `maxmemory` in bytes; 0 means no limit.
    pub maxmemory: u64,
    /// `maxmemory-policy`.
    pub maxmemory_policy: EvictionPolicy,
    /// `lfu-log-factor`.
    pub lfu_log_factor: i64,
    /// `lfu-decay-time`, in minutes.
    pub lfu_decay_time: i64,
    /// `notify-keyspace-events`, as bits of [`crate::notify`].
    pub notify_keyspace_events: u32,
    /// `rdbcompression`: LZF-compress long strings in DUMP payloads (and snapshots).
    pub rdbcompression: bool,
    /// `hll-sparse-max-bytes`: the largest sparse HLL string, header included; a sparse HLL
    /// that would grow past it turns dense.
    pub hll_sparse_max_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            maxmemory: 0,
            maxmemory_policy: EvictionPolicy::NoEviction,
            lfu_log_factor: 10,
            lfu_decay_time: 1,
            notify_keyspace_events: 0,
            rdbcompression: true,
            hll_sparse_max_bytes: 3000,
        }
    }
}
