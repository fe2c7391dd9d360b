// Package netlimit bounds what slow or numerous clients can hold of an HTTP
// server: connections ([NewListener]), time to send a request body
// ([MinRate]) and time to take a response ([IdleWriter], [IdleWrites]).
package netlimit
