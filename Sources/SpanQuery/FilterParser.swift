/// The trace filter's tokens and recursive-descent parser (grammar in docs/query-language.md):
///
///     filter  = or
///     or      = and { ("or" | "||") and }
///     and     = unary { ["and" | "&&"] unary }
///     unary   = ("not" | "!") unary | primary
///     primary = "(" or ")" | term
///     term    = text [ op text ]
///     op      = "=" | "==" | "!=" | ">" | ">=" | "<" | "<=" | "~" | "!~"
///     text    = bare | '"' … '"' | "'" … "'"
struct FilterParser {
    enum Kind: Equatable {
        case open, close, and, or, not
        case op(TraceFilter.Operator)
        /// A field or value; `quoted` ones are never keywords.
        case text(String, quoted: Bool)
        case end
    }

    struct Token {
        let kind: Kind
        let position: Int
    }

    private var tokens: [Token] = []
    private var index = 0
    private let scanner: Scanner
    /// Where each term was written (for errors found when compiling it).
    private(set) var positions: [TraceFilter.Term: Int] = [:]

    init(_ text: String) throws(QueryParseError) {
        var s = Scanner(text)
        scanner = s
        while true {
            s.skipSpaces()
            let start = s.at
            guard let c = s.peek else {
                tokens.append(Token(kind: .end, position: start))
                break
            }
            let next = s.peek(1)
            func take(_ kind: Kind, _ length: Int) {
                tokens.append(Token(kind: kind, position: start))
                s.at += length
            }
            switch c {
            case "(": take(.open, 1)
            case ")": take(.close, 1)
            case "&":
                guard next == "&" else { throw s.error("a lone '&': write && or and") }
                take(.and, 2)
            case "|":
                guard next == "|" else { throw s.error("a lone '|': write || or or") }
                take(.or, 2)
            case "!":
                if next == "=" { take(.op(.notEqual), 2) } else if next == "~" { take(.op(.notContains), 2) } else { take(.not, 1) }
            case "=": take(.op(.equal), next == "=" ? 2 : 1)
            case ">": next == "=" ? take(.op(.greaterOrEqual), 2) : take(.op(.greater), 1)
            case "<": next == "=" ? take(.op(.lessOrEqual), 2) : take(.op(.less), 1)
            case "~": take(.op(.contains), 1)
            case "\"", "'":
                let text = try s.quoted()
                tokens.append(Token(kind: .text(text, quoted: true), position: start))
            default:
                var text = ""
                while let c = s.peek, !c.isWhitespace, !Self.stops.contains(c) {
                    if (c == "&" && s.peek(1) == "&") || (c == "|" && s.peek(1) == "|") { break }
                    text.append(c)
                    s.at += 1
                }
                tokens.append(Token(kind: .text(text, quoted: false), position: start))
            }
        }
    }

    /// Characters that end a bare text (`&` and `|` only when doubled).
    static let stops: Set<Character> = ["(", ")", "=", "!", "<", ">", "~", "\"", "'"]

    private var current: Token { tokens[index] }
    private var following: Token { tokens[min(index + 1, tokens.count - 1)] }

    private func error(_ message: String, _ token: Token? = nil) -> QueryParseError {
        scanner.error(message, at: (token ?? current).position)
    }

    /// A bare word that is a keyword here: `and`, `or`, `not`, unless an operator follows
    /// (then it is a field named so).
    private func keyword(_ token: Token, next: Token) -> Kind {
        guard case .text(let text, false) = token.kind else { return token.kind }
        if case .op = next.kind { return token.kind }
        switch text.lowercased() {
        case "and": return .and
        case "or": return .or
        case "not": return .not
        default: return token.kind
        }
    }

    private var currentKind: Kind { keyword(current, next: following) }

    mutating func parse() throws(QueryParseError) -> TraceFilter.Expression {
        if current.kind == .end { throw error("empty filter") }
        let e = try parseOr()
        switch currentKind {
        case .end: return e
        case .close: throw error("')' without a '(' before it")
        default: throw error("expected and, or, or the end")
        }
    }

    private mutating func parseOr() throws(QueryParseError) -> TraceFilter.Expression {
        var items = [try parseAnd()]
        while currentKind == .or {
            index += 1
            items.append(try parseAnd())
        }
        return Self.flatten(items, or: true)
    }

    private mutating func parseAnd() throws(QueryParseError) -> TraceFilter.Expression {
        var items = [try parseUnary()]
        while true {
            switch currentKind {
            case .and:
                index += 1
            case .text, .open, .not:
                break   // side by side: and
            default:
                return Self.flatten(items, or: false)
            }
            items.append(try parseUnary())
        }
    }

    private mutating func parseUnary() throws(QueryParseError) -> TraceFilter.Expression {
        if currentKind == .not {
            index += 1
            return .not(try parseUnary())
        }
        return try parsePrimary()
    }

    private mutating func parsePrimary() throws(QueryParseError) -> TraceFilter.Expression {
        let token = current
        switch currentKind {
        case .open:
            index += 1
            let inner = try parseOr()
            guard currentKind == .close else {
                if currentKind == .end { throw error("missing ')' for the '(' at column \(token.position + 1)") }
                throw error("expected ')' for the '(' at column \(token.position + 1)")
            }
            index += 1
            return inner
        case .text(let field, _):
            index += 1
            guard case .op(let op) = current.kind else {
                let term = TraceFilter.Term(field: field)
                if positions[term] == nil { positions[term] = token.position }
                return .term(term)
            }
            let opToken = current
            index += 1
            guard case .text(let value, _) = current.kind else {
                throw error(current.kind == .end ? "a value is missing after '\(op.rawValue)'" : "expected a value after '\(op.rawValue)'", current.kind == .end ? current : opToken)
            }
            let term = TraceFilter.Term(field: field, op: op, value: value)
            if positions[term] == nil { positions[term] = current.position }
            index += 1
            return .term(term)
        case .end:
            throw error(index == 0 ? "empty filter" : "a term is missing at the end")
        case .op:
            throw error("a field is missing before '\(Self.opText(current.kind))'")
        case .close:
            throw error("expected a term before ')'")
        case .and, .or:
            throw error("expected a term before '\(Self.opText(currentKind))'")
        case .not:
            throw error("expected a term")
        }
    }

    private static func opText(_ kind: Kind) -> String {
        switch kind {
        case .op(let op): op.rawValue
        case .and: "and"
        case .or: "or"
        default: ""
        }
    }

    private static func flatten(_ items: [TraceFilter.Expression], or: Bool) -> TraceFilter.Expression {
        if items.count == 1 { return items[0] }
        var flat: [TraceFilter.Expression] = []
        for item in items {
            switch item {
            case .or(let inner) where or: flat.append(contentsOf: inner)
            case .and(let inner) where !or: flat.append(contentsOf: inner)
            default: flat.append(item)
            }
        }
        return or ? .or(flat) : .and(flat)
    }
}
