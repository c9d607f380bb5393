-- wrk script for scripts/bench.sh: with a file argument, cycle through the
-- request paths in it (one per line); print one machine-readable line.
local paths, n, i = nil, 0, 0

function init(args)
  if args[1] then
    paths = {}
    for line in io.lines(args[1]) do
      if line ~= "" then paths[#paths + 1] = line end
    end
    n = #paths
    request = function()
      i = i % n + 1
      return wrk.format(nil, paths[i])
    end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.0f %.2f %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.status + e.timeout))
end
