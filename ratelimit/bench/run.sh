#!/usr/bin/env bash
# Runs safedocker's rate limiters against public Go limiters on the same
# keyed workload and prints the ratios the issue sets as targets.
#
#   ./run.sh            # COUNT=6 runs of each benchmark
#   COUNT=10 ./run.sh   # more runs: steadier medians on a noisy machine
#   BENCHTIME=200ms COUNT=1 ./run.sh   # a quick smoke run
#
# Redis: uses $SAFEDOCKER_TEST_REDIS_ADDR if set, else starts redis-server
# from PATH on a free loopback port (--save "" --appendonly no) and stops it
# on exit. Raw output goes to bench.txt (ignored by git).
set -euo pipefail
cd "$(dirname "$0")"
count=${COUNT:-6}
benchtime=${BENCHTIME:-1s}
out=bench.txt

if [ -z "${SAFEDOCKER_TEST_REDIS_ADDR:-}" ]; then
	if command -v redis-server >/dev/null; then
		for _ in $(seq 50); do
			port=$((20000 + RANDOM % 40000))
			if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
		done
		redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
			--daemonize no --loglevel warning >/dev/null 2>&1 &
		redis_pid=$!
		trap 'kill "$redis_pid" 2>/dev/null || true' EXIT
		for _ in $(seq 100); do
			if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then break; fi
			sleep 0.1
		done
		export SAFEDOCKER_TEST_REDIS_ADDR="127.0.0.1:$port"
	else
		echo "run.sh: no redis-server on PATH and SAFEDOCKER_TEST_REDIS_ADDR unset: Redis benchmarks will skip" >&2
	fi
fi

echo "go $(go env GOVERSION), GOMAXPROCS=${GOMAXPROCS:-$(nproc)}, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
go test -run '^$' -bench 'BenchmarkMemory|BenchmarkExplicit|BenchmarkRedis' -benchmem -count "$count" -benchtime "$benchtime" -timeout 60m . | tee "$out"
go test -run '^$' -bench 'BenchmarkBytesPerKey' -benchtime 1x -count 1 -timeout 30m . | tee -a "$out"

if command -v benchstat >/dev/null || go install golang.org/x/perf/cmd/benchstat@latest 2>/dev/null; then
	PATH="$PATH:$(go env GOPATH)/bin" benchstat "$out" || true
fi

# Ratios of medians (ns/op; B/key for memory).
grep -E '^Benchmark' "$out" | awk '{
	name = $1; sub(/-[0-9]+$/, "", name)
	for (i = 2; i < NF; i++) if ($(i+1) == "ns/op" || $(i+1) == "cpu-ns/op" || $(i+1) == "B/key") print name, $(i+1), $i
}' | sort -k1,1 -k2,2 -k3,3g | awk '
	{ k = $1 " " $2; v[k, ++n[k]] = $3 }
	END {
		for (k in n) { c = n[k]; m[k] = (c % 2) ? v[k, (c+1)/2] : (v[k, c/2] + v[k, c/2+1]) / 2 }
		split("serial parallel", modes, " ")
		print ""
		print "ratios of medians (target: memory <= 0.5 x fastest peer, redis <= 1.0 x redis_rate)"
		split("ns/op cpu-ns/op", units, " ")
		for (j = 1; j <= 2; j++) for (u = 1; u <= 2; u++) {
			md = modes[j]; un = units[u]; best = ""; bv = 0
			split("xtime-syncmap sethvargo ulule", peers, " ")
			for (p = 1; p <= 3; p++) {
				k = "BenchmarkMemory/" md "/" peers[p] " " un
				if ((k in m) && (bv == 0 || m[k] < bv)) { bv = m[k]; best = peers[p] }
			}
			o = "BenchmarkMemory/" md "/ours-client+global " un
			if ((o in m) && bv > 0) printf "memory %-8s %-9s ours client+global          %8.1f vs fastest peer %-13s %8.1f: %.2fx\n", md, un, m[o], best, bv, m[o] / bv
			o = "BenchmarkMemory/" md "/ours-client+global-coarse " un
			if ((o in m) && bv > 0) printf "memory %-8s %-9s ours client+global, coarse  %8.1f vs fastest peer %-13s %8.1f: %.2fx\n", md, un, m[o], best, bv, m[o] / bv
			o = "BenchmarkExplicit/" md "/ours-client+global " un; x = "BenchmarkExplicit/" md "/xtime-syncmap " un
			if ((o in m) && (x in m)) printf "memory %-8s %-9s ours client+global, explicit time %8.1f vs xtime-syncmap AllowN(t) %8.1f: %.2fx\n", md, un, m[o], m[x], m[o] / m[x]
		}
		for (j = 1; j <= 2; j++) {
			md = modes[j]
			o = "BenchmarkRedis/" md "/ours-client+global ns/op"; r = "BenchmarkRedis/" md "/redis_rate ns/op"
			if ((o in m) && (r in m)) printf "redis  %-8s ns/op     ours client+global %8.0f vs redis_rate (1 key) %8.0f: %.2fx\n", md, m[o], m[r], m[o] / m[r]
		}
		split("ours xtime-syncmap sethvargo ulule", all, " ")
		for (p = 1; p <= 4; p++) { k = "BenchmarkBytesPerKey/" all[p] " B/key"; if (k in m) printf "retained heap per key (1,000,000 keys) %-13s %6.1f B\n", all[p], m[k] }
	}'
