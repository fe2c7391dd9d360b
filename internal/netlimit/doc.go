// Package netlimit bounds what slow or numerous clients can hold of an HTTP
// server: connections, the time to send a request body and the time to
// take a response. Each limit frees what a client holds (a connection, a
// goroutine, a temporary file, a job) when the client stops keeping up.
//
// # Connections
//
// [NewListener](l, n) keeps at most n accepted connections of l open
// (--max-conns, default [DefaultMaxConns] = 1024). A connection beyond the
// limit is accepted and answered at once, not left in the kernel's backlog:
//
//	HTTP/1.1 503 Service Unavailable
//	Retry-After: 2
//	Connection: close
//	Content-Type: application/json
//
//	{"error":{"code":503,"message":"the server has too many open connections (1024); retry after 2 seconds","details":[]}}
//
// and closed within [Listener].RefuseTimeout (default 1 s).
// [Listener.Refused] counts them.
//
// # Request bodies
//
// [MinRate] (in a handler) or [MinRateReads] (for every request) fails a
// body that arrives too slowly with an error wrapping [ErrTooSlow], which
// the server answers 408 Request Timeout, a fault of the client. Counting
// only the time the server waits for the body:
//
//   - a wait of [Rate].Idle (default 30 s) without a byte fails;
//   - after [Rate].Grace (default 10 s), fewer than [Rate].MinBytesPerSec
//     (default 1024) bytes per second of waiting, on average, fail.
//
// A body trickled at a byte every 5 s is cut off after 10 s; any real link
// (8 kbit/s and up) passes, with documents up to the 256 MiB body limit.
//
// # Responses
//
// [IdleWriter] (in a handler) or [IdleWrites] (for every request) gives
// each piece of at most 32 KiB written to the client a fresh write deadline
// of idle (default [DefaultWriteIdle] = 60 s). A client that stops reading
// is cut off idle after the socket buffers fill; one that takes 32 KiB a
// minute or more is never cut off. http.ServeContent and io.Copy (ReadFrom,
// sendfile) get the same deadlines. A cut-off download can resume with a
// Range request.
//
// # HTTP/1.1 and HTTP/2
//
// On HTTP/1.1 the deadlines are the connection's: a body that breaks its
// rule ends the connection after the 408, a stalled download ends it at
// once, and the next
// request on a kept-alive connection starts with net/http's own deadlines
// (net/http resets the read deadline for each request and clears the write
// deadline after each response). On HTTP/2, set through the same
// [http.ResponseController], they are the stream's: only that request
// fails (a stalled download's stream is reset); other streams on the
// connection go on. The connection limit
// counts TCP connections, each of which carries up to the HTTP/2 server's
// MaxConcurrentStreams requests, and its 503 is plain HTTP/1.1: a TLS or
// h2c client refused by it sees a failed handshake, then a closed
// connection.
package netlimit
