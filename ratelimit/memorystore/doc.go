// Package memorystore is an in-process [ratelimit.Store] with bounded memory
// and no allocation per decision.
//
// # Layout
//
// Client keys are hashed with hash/maphash under a random per-store seed;
// the store keeps only the 64-bit hash and the bucket's theoretical arrival
// time (TAT), 16 bytes per table slot, never the attacker-chosen key
// string. Two keys whose hashes collide (probability about n²/2⁶⁵) share one
// bucket, which can only make their limit stricter. The hash picks one of up
// to 256 shards, each an open-addressing table. Lookups take no lock: they
// read the slot and update the TAT with compare-and-swap, and a denial
// writes nothing. Inserting a new key takes the shard's lock. The global
// bucket is one cache-line-padded atomic integer, updated with
// compare-and-swap.
//
// # Memory bound and the policy at the cap
//
// A bucket whose TAT is at or before now is full, which is exactly the state
// of an absent key, so deleting it loses nothing. Expired buckets are
// removed one shard at a time, as part of inserting a new key: when the
// shard's table would pass a load of 3/4 it is rebuilt from its live entries
// only (sized for twice their number), and when the shard is at its cap it is
// swept. Either touches at most one shard, about MaxKeys/256 keys, under that
// shard's lock; there is never a pass over the whole store, and decisions
// on existing keys never wait for it. An expired bucket that has not been
// dropped yet is simply reused when its client returns.
//
// The store tracks at most MaxKeys keys ([WithMaxKeys]; the default is
// [DefaultMaxKeys]), split evenly over the shards, so one shard can fill a
// little before the whole store does. When a new key hashes to a full shard,
// the shard is first swept, unless none of its buckets can have expired
// since the last sweep (so a flood of new keys at the cap costs no sweeps);
// if every bucket in it is still live, the new key is refused with an error
// matching [ratelimit.ErrCapacity] and [ratelimit.ErrStore], which a
// [ratelimit.Limiter] turns into a denial unless it fails open. A live
// bucket is never evicted: evicting it would hand its client a fresh burst.
// Existing keys keep being served at the cap. [Store.Stats] counts refusals.
//
// Memory use is 16 bytes per slot at a load factor between 1/4 and 3/4; the
// benchmark measures about 34 bytes per tracked key with 1,000,000 keys.
//
// # Time
//
// The store's clock is the process's monotonic clock (time.Since of an
// epoch taken in [New]), so wall-clock steps do not move it, and it follows
// testing/synctest's fake clock for a store created inside a bubble. A
// [ratelimit.Query] may carry an explicit time instead, for tests.
//
// Reading that clock costs about 22 ns per decision on the benchmark
// machine. [WithCoarseClock] trades precision for speed: a goroutine owned
// by the store refreshes an atomic copy of the clock every resolution
// (100 µs to 1 s), decisions read the copy, and [Store.Close] stops the
// goroutine. The copy lags by at most the resolution plus scheduling delay
// and never runs ahead, so limits only get stricter; RetryAfter and
// ResetAfter are accurate to within that lag.
package memorystore
