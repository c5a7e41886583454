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
    /// Whether recency is what eviction looks at (Redis's `MAXMEMORY_FLAG_LRU`: the two LRU
    /// policies), so that RDB files record each key's idle time.
    pub fn is_lru(self) -> bool {
        matches!(
            self,
            EvictionPolicy::AllKeysLru | EvictionPolicy::VolatileLru
        )
    }

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
    /// `hash-max-listpack-entries`: a hash with more fields becomes a hashtable.
    pub hash_max_listpack_entries: usize,
    /// `hash-max-listpack-value`: a hash with a longer field or value becomes a hashtable.
    pub hash_max_listpack_value: usize,
    /// `set-max-intset-entries`: a set of integers with more members becomes a hashtable.
    pub set_max_intset_entries: usize,
    /// `zset-max-listpack-entries`: a sorted set with more members becomes a skiplist.
    pub zset_max_listpack_entries: usize,
    /// `zset-max-listpack-value`: a sorted set with a longer member becomes a skiplist.
    pub zset_max_listpack_value: usize,
    /// `list-max-listpack-size`: positive, entries per list node; negative, -1..-5 for
    /// 4/8/16/32/64 KB per node.
    pub list_max_listpack_size: i64,
    /// `list-compress-depth`: nodes kept uncompressed at each end of a list (0: none compressed).
    pub list_compress_depth: i64,
    /// `stream-node-max-bytes`: the largest stream node (0: unlimited).
    pub stream_node_max_bytes: usize,
    /// `stream-node-max-entries`: the most entries in a stream node (0: unlimited).
    pub stream_node_max_entries: usize,
    /// `requirepass`: when set, new connections must `AUTH` before other commands.
    pub requirepass: Option<Vec<u8>>,
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
            hash_max_listpack_entries: 512,
            hash_max_listpack_value: 64,
            set_max_intset_entries: 512,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            list_max_listpack_size: -2,
            list_compress_depth: 0,
            stream_node_max_bytes: 4096,
            stream_node_max_entries: 100,
            requirepass: None,
        }
    }
}
