import SpanModel

/// Spans grouped as OTLP sends them: by resource, in order of first appearance, then by
/// instrumentation scope likewise, each group's spans in their order. Spans of one process
/// share one `Resource` instance, so identity is tried before the (hashing) value comparison.
/// Shared by the OTLP writers (JSON and protobuf).
struct OTLPGroups {
    typealias ScopeGroup = (scope: InstrumentationScope, spans: [Span])
    private(set) var resources: [(resource: Resource, scopes: [ScopeGroup])] = []

    init(_ spans: some Collection<Span>) {
        var resourceByIdentity: [ObjectIdentifier: Int] = [:]
        var resourceByValue: [Resource: Int] = [:]
        var scopeIndex: [Int: [InstrumentationScope: Int]] = [:]
        var last: (resource: ObjectIdentifier, scope: ObjectIdentifier, r: Int, s: Int)?
        for span in spans {
            let rid = ObjectIdentifier(span.resource), sid = ObjectIdentifier(span.scope)
            if let l = last, l.resource == rid, l.scope == sid {
                resources[l.r].scopes[l.s].spans.append(span)
                continue
            }
            let r: Int
            if let i = resourceByIdentity[rid] {
                r = i
            } else if let i = resourceByValue[span.resource] {
                r = i
                resourceByIdentity[rid] = i
            } else {
                r = resources.count
                resources.append((span.resource, []))
                resourceByIdentity[rid] = r
                resourceByValue[span.resource] = r
            }
            let s: Int
            if let i = scopeIndex[r]?[span.scope] {
                s = i
            } else {
                s = resources[r].scopes.count
                resources[r].scopes.append((span.scope, []))
                scopeIndex[r, default: [:]][span.scope] = s
            }
            resources[r].scopes[s].spans.append(span)
            last = (rid, sid, r, s)
        }
    }
}
