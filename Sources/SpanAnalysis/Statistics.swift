import SpanModel
import SpanStore

/// What the rows of `TraceStatistics` are: one per service, per operation (service and span
/// name), or per value of an attribute.
public enum StatsGrouping: Hashable, Sendable, CustomStringConvertible {
    case service
    case operation
    /// Per value (as text) of this attribute key: the span's attribute, else its resource's.
    /// Spans with neither are one row whose `name` is nil.
    case attribute(String)

    /// `service`, `operation`, anything else an attribute key.
    public init(_ text: String) {
        switch text {
        case "service": self = .service
        case "operation": self = .operation
        default: self = .attribute(text)
        }
    }

    /// `service`, `operation` or the key.
    public var description: String {
        switch self {
        case .service: "service"
        case .operation: "operation"
        case .attribute(let key): key
        }
    }
}

/// One group's figures. Durations are in nanoseconds over the spans with both times (a
/// negative duration counts as 0); `count` and `errors` count every span.
public struct StatsRow: Sendable, Equatable {
    /// The service (a span without `service.name` has ""); nil when grouped by attribute.
    public var service: String?
    /// The span name (by operation), the attribute's value (by attribute; nil for the spans
    /// without it), nil by service.
    public var name: String?
    /// Spans in the group.
    public var count = 0
    /// Of them, spans with status error.
    public var errors = 0
    /// Spans with both times: the ones the durations are over.
    public var timedCount = 0
    /// Sum of the durations.
    public var totalNs: Int64 = 0
    /// Shortest duration (0 when no span has times).
    public var minNs: Int64 = 0
    /// Longest duration.
    public var maxNs: Int64 = 0
    /// Sum of the self times.
    public var selfNs: Int64 = 0
    /// Smallest self time.
    public var selfMinNs: Int64 = 0
    /// Largest self time.
    public var selfMaxNs: Int64 = 0
    /// Self time as a percentage of the traces' total duration (`TraceStatistics.traceTotalNs`).
    public var selfPercent = 0.0

    /// An empty row.
    public init(service: String?, name: String?) {
        self.service = service
        self.name = name
    }

    /// Average duration.
    public var avgNs: Int64 { timedCount > 0 ? totalNs / Int64(timedCount) : 0 }
    /// Average self time.
    public var selfAvgNs: Int64 { timedCount > 0 ? selfNs / Int64(timedCount) : 0 }
    /// Self time as a percentage of the row's own total (Jaeger UI's "ST in Duration").
    public var selfOfTotalPercent: Double { totalNs > 0 ? Double(selfNs) * 100 / Double(totalNs) : 0 }

    mutating func add(duration: Int64?, selfTime: Int64, isError: Bool) {
        count += 1
        if isError { errors += 1 }
        guard let d = duration else { return }
        let d0 = max(0, d)
        if timedCount == 0 {
            (minNs, maxNs, selfMinNs, selfMaxNs) = (d0, d0, selfTime, selfTime)
        } else {
            minNs = min(minNs, d0)
            maxNs = max(maxNs, d0)
            selfMinNs = min(selfMinNs, selfTime)
            selfMaxNs = max(selfMaxNs, selfTime)
        }
        timedCount += 1
        totalNs &+= d0
        selfNs &+= selfTime
    }
}

/// A column of the statistics table, to sort by.
public enum StatsColumn: String, CaseIterable, Sendable {
    case service, name, count, errors, total, avg, min, max
    case selfTotal = "self", selfAvg = "self-avg", selfMin = "self-min", selfMax = "self-max"
    case selfPercent = "self-percent"

    /// Text columns sort A to Z first, numbers largest first.
    public var defaultAscending: Bool { self == .service || self == .name }
}

/// Per group (service, operation or attribute value) of one or many traces: count,
/// errors, total/avg/min/max duration and the same of self time, and self time as a share
/// of the traces' duration, like Jaeger UI's Trace Statistics.
public struct TraceStatistics: Sendable {
    /// What a row is.
    public let grouping: StatsGrouping
    /// The groups, in the last `sort` order (self time, largest first, to begin with).
    public private(set) var rows: [StatsRow]
    /// Traces the figures are over.
    public let traceCount: Int
    /// Spans the figures are over.
    public let spanCount: Int
    /// Of them, spans with status error.
    public let errorCount: Int
    /// Sum of the traces' durations (first start to last end of each): what `selfPercent` is of.
    public let traceTotalNs: Int64
    /// Sum of every span's self time.
    public let selfTotalNs: Int64

    /// Statistics of several traces, each with its self times (`SelfTime.compute`).
    public init(_ traces: [(tree: TraceTree, selfTimes: [Int64])], by grouping: StatsGrouping) {
        self.grouping = grouping
        var rows: [StatsRow] = []
        var spans = 0, errors = 0
        var traceTotal: Int64 = 0, selfTotal: Int64 = 0
        var grouper = Grouper(grouping)
        for (tree, selfTimes) in traces {
            spans += tree.count
            var first = Int64.max, last = Int64.min
            for i in 0..<tree.count {
                let (s, e) = (tree.spans[i].startTime, tree.spans[i].endTime)
                if s != Timestamp.unknown { first = Swift.min(first, s) }
                if e != Timestamp.unknown { last = Swift.max(last, e) }
                let isError = tree.spans[i].status.isError
                if isError { errors += 1 }
                let row = grouper.row(for: i, of: tree, rows: &rows)
                let selfTime = i < selfTimes.count ? selfTimes[i] : 0
                selfTotal &+= selfTime
                let duration: Int64? = s != Timestamp.unknown && e != Timestamp.unknown ? e &- s : nil
                rows[row].add(duration: duration, selfTime: selfTime, isError: isError)
            }
            if first != Int64.max && last != Int64.min && last > first { traceTotal &+= last &- first }
        }
        for i in rows.indices {
            rows[i].selfPercent = traceTotal > 0 ? Double(rows[i].selfNs) * 100 / Double(traceTotal) : 0
        }
        self.rows = rows
        traceCount = traces.count
        spanCount = spans
        errorCount = errors
        traceTotalNs = traceTotal
        selfTotalNs = selfTotal
        sort(by: .selfTotal)
    }

    /// Statistics of one trace.
    public init(_ tree: TraceTree, selfTimes: [Int64], by grouping: StatsGrouping) {
        self.init([(tree, selfTimes)], by: grouping)
    }

    /// Rows ordered by `column` (ties by service, then name, A to Z; a nil name last).
    public mutating func sort(by column: StatsColumn, ascending: Bool? = nil) {
        let up = ascending ?? column.defaultAscending
        func text(_ a: String?, _ b: String?) -> Int {
            switch (a, b) {
            case (nil, nil): 0
            case (nil, _): 1
            case (_, nil): -1
            case let (x?, y?): x == y ? 0 : (x < y ? -1 : 1)
            }
        }
        func number<T: Comparable>(_ a: T, _ b: T) -> Int { a == b ? 0 : (a < b ? -1 : 1) }
        func compare(_ a: StatsRow, _ b: StatsRow) -> Int {
            switch column {
            case .service: text(a.service, b.service)
            case .name: text(a.name, b.name)
            case .count: number(a.count, b.count)
            case .errors: number(a.errors, b.errors)
            case .total: number(a.totalNs, b.totalNs)
            case .avg: number(a.avgNs, b.avgNs)
            case .min: number(a.minNs, b.minNs)
            case .max: number(a.maxNs, b.maxNs)
            case .selfTotal: number(a.selfNs, b.selfNs)
            case .selfAvg: number(a.selfAvgNs, b.selfAvgNs)
            case .selfMin: number(a.selfMinNs, b.selfMinNs)
            case .selfMax: number(a.selfMaxNs, b.selfMaxNs)
            case .selfPercent: number(a.selfPercent, b.selfPercent)
            }
        }
        rows.sort { a, b in
            let c = compare(a, b)
            if c != 0 { return up ? c < 0 : c > 0 }
            let s = text(a.service, b.service)
            if s != 0 { return s < 0 }
            return text(a.name, b.name) < 0
        }
    }

    /// A copy with rows ordered by `column`.
    public func sorted(by column: StatsColumn, ascending: Bool? = nil) -> TraceStatistics {
        var copy = self
        copy.sort(by: column, ascending: ascending)
        return copy
    }
}

/// Finds a span's row, caching per `Resource` (shared by every span of a process) its
/// service and, by attribute, its value of the key.
private struct Grouper {
    let grouping: StatsGrouping
    var lookup: AttributeKeyLookup?
    var resourceService: [ObjectIdentifier: Int32] = [:]
    var resourceValue: [ObjectIdentifier: String?] = [:]
    var services: [String] = []
    var serviceIDs: [String: Int32] = [:]
    var byService: [Int32: Int] = [:]
    var byOperation: [OperationKey: Int] = [:]
    var byValue: [String?: Int] = [:]
    /// Rows of values kept as symbols, by symbol number (-1: not seen yet) of `symbolTable`.
    var rowOfSymbol: [Int32] = []
    var symbolTable: ObjectIdentifier?
    var lastResource: ObjectIdentifier?
    var lastService: Int32 = 0

    struct OperationKey: Hashable {
        var service: Int32
        var name: String
    }

    init(_ grouping: StatsGrouping) {
        self.grouping = grouping
        if case .attribute(let key) = grouping { lookup = AttributeKeyLookup(key) }
    }

    mutating func service(of resource: Resource) -> Int32 {
        let id = ObjectIdentifier(resource)
        if id == lastResource { return lastService }
        let service: Int32
        if let known = resourceService[id] {
            service = known
        } else {
            let name = resource.serviceName ?? ""
            if let s = serviceIDs[name] {
                service = s
            } else {
                service = Int32(services.count)
                services.append(name)
                serviceIDs[name] = service
            }
            resourceService[id] = service
        }
        lastResource = id
        lastService = service
        return service
    }

    mutating func row(for i: Int, of tree: TraceTree, rows: inout [StatsRow]) -> Int {
        switch grouping {
        case .service:
            let s = service(of: tree.spans[i].resource)
            if let row = byService[s] { return row }
            rows.append(StatsRow(service: services[Int(s)], name: nil))
            byService[s] = rows.count - 1
            return rows.count - 1
        case .operation:
            let key = OperationKey(service: service(of: tree.spans[i].resource), name: tree.spans[i].name)
            if let row = byOperation[key] { return row }
            rows.append(StatsRow(service: services[Int(key.service)], name: key.name))
            byOperation[key] = rows.count - 1
            return rows.count - 1
        case .attribute(let key):
            let value: String?
            if let v = tree.spans[i].details.attributeValue(&lookup!) {
                if let id = lookup!.valueSymbol {
                    if lookup!.table != symbolTable {
                        symbolTable = lookup!.table
                        rowOfSymbol.removeAll(keepingCapacity: true)
                    }
                    let i = Int(id)
                    if i < rowOfSymbol.count, rowOfSymbol[i] >= 0 { return Int(rowOfSymbol[i]) }
                    let row = row(forValue: AttributeText.text(v), rows: &rows)
                    if i < 1 << 16 {
                        if i >= rowOfSymbol.count { rowOfSymbol.append(contentsOf: repeatElement(-1, count: i + 1 - rowOfSymbol.count)) }
                        rowOfSymbol[i] = Int32(row)
                    }
                    return row
                }
                value = AttributeText.text(v)
            } else {
                let id = ObjectIdentifier(tree.spans[i].resource)
                if let cached = resourceValue[id] {
                    value = cached
                } else {
                    let v = tree.spans[i].resource.attributes[key: key].map(AttributeText.text)
                    resourceValue[id] = .some(v)
                    value = v
                }
            }
            return row(forValue: value, rows: &rows)
        }
    }

    mutating func row(forValue value: String?, rows: inout [StatsRow]) -> Int {
        if let row = byValue[value] { return row }
        rows.append(StatsRow(service: nil, name: value))
        byValue[value] = rows.count - 1
        return rows.count - 1
    }
}

/// Attribute values as plain text, for grouping and tables: strings as they are, numbers
/// and booleans as written, lists in brackets, bytes in hex.
public enum AttributeText {
    /// `value` as plain text.
    public static func text(_ value: AttributeValue) -> String {
        switch value {
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .stringArray(let a): return "[" + a.joined(separator: ", ") + "]"
        case .boolArray(let a): return "[" + a.map { $0 ? "true" : "false" }.joined(separator: ", ") + "]"
        case .intArray(let a): return "[" + a.map(String.init).joined(separator: ", ") + "]"
        case .doubleArray(let a): return "[" + a.map { text(.double($0)) }.joined(separator: ", ") + "]"
        case .bytes(let b): return "0x" + b.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        case .array(let a): return "[" + a.map(text).joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.map { "\($0.key): \(text($0.value))" }.joined(separator: ", ") + "}"
        case .empty: return ""
        case .unknown(_, let json): return json
        }
    }
}
