-- tshark baseline: reassemble ALL TCP streams in one pass (Lua tap).
--   tshark -q -r FILE -X lua_script:bench/baselines/tshark_follow_all.lua
-- tshark dissects every packet (tcp.stream, sequence analysis); this tap collects every TCP
-- payload per stream and direction keyed by relative sequence number, then at the end orders
-- each direction by sequence, trims overlaps and hashes nothing (Lua has no sha) but counts the
-- delivered bytes — the work a "follow all streams" needs on top of tshark's dissection.
local f_stream = Field.new("tcp.stream")
local f_seq = Field.new("tcp.seq_raw")
local f_len = Field.new("tcp.len")
local f_payload = Field.new("tcp.payload")
local f_srcport = Field.new("tcp.srcport")

local streams = {}
local tap = Listener.new("tcp")

function tap.packet(pinfo, tvb)
    local len = f_len()
    if len == nil or len.value == 0 then return end
    local payload = f_payload()
    if payload == nil then return end
    local key = tostring(f_stream().value) .. ":" .. tostring(f_srcport().value)
    local segs = streams[key]
    if segs == nil then segs = {}; streams[key] = segs end
    segs[#segs + 1] = { f_seq().value, payload.range:bytes():raw() }
end

function tap.draw()
    local total, nstreams = 0, 0
    for key, segs in pairs(streams) do
        nstreams = nstreams + 1
        table.sort(segs, function(a, b) return a[1] < b[1] end)   -- no 2^32 wrap handling
        local nxt = nil
        local parts = {}
        for _, s in ipairs(segs) do
            local seq, data = s[1], s[2]
            if nxt == nil then nxt = seq end
            local skip = nxt - seq
            if skip < #data then
                if skip > 0 then data = string.sub(data, skip + 1) end
                parts[#parts + 1] = data
                nxt = nxt + #data
            end
        end
        total = total + #table.concat(parts)
    end
    print(string.format("lua follow-all: %d stream directions, %d bytes", nstreams, total))
end
