import SpanModel

/// What OTLP (JSON and protobuf alike) cannot hold of spanview's spans (docs/formats.md,
/// "Writing"): typed arrays (Go's `STRINGSLICE`…) become plain arrays, an unknown attribute
/// type the string of its JSON, a time of exactly 0 reads back as unknown (protobuf's "not
/// set"); a span's own remote flag (OTLP's flags say only the parent's) and a FOLLOWS_FROM
/// parent (Jaeger's) have no field. Go's child span count has none either, but it is not
/// counted: the tree gives it again.
public enum OTLPLosses {
    /// The losses writing `spans` as OTLP would cause, counted.
    public static func count(in spans: some Collection<Span>) -> WriteLosses {
        var typed = 0, unknown = 0, epoch = 0, remote = 0, followsFrom = 0
        func values(_ list: [Attribute]) {
            for a in list { value(a.value) }
        }
        func value(_ v: AttributeValue) {
            switch v {
            case .stringArray, .boolArray, .intArray, .doubleArray: typed += 1
            case .unknown: unknown += 1
            case .array(let list): for item in list { value(item) }
            case .map(let list): values(list)
            default: break
            }
        }
        var seenResources = Set<ObjectIdentifier>(), seenScopes = Set<ObjectIdentifier>()
        for span in spans {
            if span.startTime == 0 || span.endTime == 0 { epoch += 1 }
            if span.isRemote { remote += 1 }
            if span.parentIsFollowsFrom { followsFrom += 1 }
            values(span.attributes)
            for event in span.events {
                if event.time == 0 { epoch += 1 }
                values(event.attributes)
            }
            for link in span.links { values(link.attributes) }
            if seenResources.insert(ObjectIdentifier(span.resource)).inserted { values(span.resource.attributes) }
            if seenScopes.insert(ObjectIdentifier(span.scope)).inserted { values(span.scope.attributes) }
        }
        var l = WriteLosses()
        l.add(typed, "typed arrays (STRINGSLICE, INT64SLICE…) written as plain arrays")
        l.add(unknown, "values of an unknown type written as the string of their JSON")
        l.add(epoch, "times of exactly 0 (1970-01-01) read back as unknown")
        l.add(remote, "spans' own remote-context flags left out (OTLP keeps only the parent's)")
        l.add(followsFrom, "FOLLOWS_FROM parents read back as plain parents")
        return l
    }
}
