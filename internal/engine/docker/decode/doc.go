// Package decode turns raw Docker Engine API requests into the policy model,
// decoding every body exactly as the daemon does so that the checks judge what
// the daemon will do rather than what the request looks like.
//
// # What is decoded
//
// Three endpoints are judged: POST /containers/create, POST
// /containers/{id}/exec and POST /volumes/create, each with or without a
// "/vX.Y" version prefix and with a query string. Every other endpoint is
// reported as unsupported (ErrUnsupported), never as allowed. A path the
// daemon's router would not serve as written (one that does not clean to
// itself, percent-encoding, a malformed version prefix) is a *PathError.
//
// Bodies are decoded into the daemon's own API types with encoding/json, the
// way the daemon's loadJSON and ReadJSON do: keys match case-insensitively,
// the last of duplicate keys wins, trailing data after the JSON value is
// rejected (except a closing bracket, which json.Decoder.More does not see),
// and an empty exec or volume body is the zero request while an empty create
// body is an error.
//
// # Legacy compatibility paths
//
// Daemons before v27 decoded a second, embedded HostConfig at the top level of
// a create body: used wholesale when the body has no HostConfig key, and
// merged field by field (Memory, MemorySwap, CpuShares, CpusetCpus,
// VolumeDriver, and the top-level Cpuset) when it has one. When a create body
// carries top-level HostConfig fields and its API version could be served by
// such a daemon (no version, or 1.45 and below), Decode also returns that
// legacy reading (Request.Legacy) so that both are judged.
//
// Keys that none of the API types know are looked at as well: a modern daemon
// ignores them, but an older or newer one may honour them (API 1.40's
// HostConfig.Capabilities, for instance, which is mapped). Such a key with a
// value other than null, false, 0, "" or {} becomes an Invalid entry, so the
// request is denied.
//
// The API version in the path selects the daemon's version-dependent
// adjustments (for example the shareable IPC default before 1.40, options
// dropped or rejected by API version, and the cluster-volume spec from 1.42).
//
// # Fields
//
// Every field of the create, exec and volume-create request types is either
// mapped into the model or listed as security-neutral, with a reason, in one
// table (see Fields); a test walks the Docker types by reflection and fails on
// a field that is in neither, so a Docker upgrade cannot add an unchecked
// field silently.
//
// All functions are safe for concurrent use.
package decode
