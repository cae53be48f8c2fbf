/// The entity that produced spans (a service process). Shared by reference: every span
/// of a process points at one instance, so its attributes are stored once.
public final class Resource: Hashable, Sendable {
    public let attributes: [Attribute]
    /// `service.name`, if the resource has one.
    public let serviceName: String?

    public init(attributes: [Attribute]) {
        self.attributes = attributes
        if case .string(let name)? = attributes[key: "service.name"] {
            serviceName = name
        } else {
            serviceName = nil
        }
    }

    public static let empty = Resource(attributes: [])

    public static func == (a: Resource, b: Resource) -> Bool { a === b || a.attributes == b.attributes }
    public func hash(into hasher: inout Hasher) { hasher.combine(attributes) }
}

/// The library that created spans (Go's `InstrumentationScope`, formerly `InstrumentationLibrary`).
public final class InstrumentationScope: Hashable, Sendable {
    public let name: String
    public let version: String
    public let schemaURL: String
    public let attributes: [Attribute]

    public init(name: String, version: String = "", schemaURL: String = "", attributes: [Attribute] = []) {
        self.name = name
        self.version = version
        self.schemaURL = schemaURL
        self.attributes = attributes
    }

    public static let empty = InstrumentationScope(name: "")

    public static func == (a: InstrumentationScope, b: InstrumentationScope) -> Bool {
        a === b || (a.name == b.name && a.version == b.version && a.schemaURL == b.schemaURL && a.attributes == b.attributes)
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(version)
    }
}
