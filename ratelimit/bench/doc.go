// Package bench compares safedocker's ratelimit stores with public Go
// limiters on the same keyed workload. It is a separate module so that the
// library never depends on the peers. Run ./run.sh; see the README fragment
// for the table.
package bench
