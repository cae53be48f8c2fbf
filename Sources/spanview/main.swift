import SpanviewKit

SpanviewCommand.main()
