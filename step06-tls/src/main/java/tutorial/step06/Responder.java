package tutorial.step06;

import java.nio.file.Path;
import java.util.Set;

/**
 * What the server answers, decided from the request alone: which methods are served, which
 * bodies are refused, what HEAD gets, whether the connection stays open, and which file a target
 * names. No socket and no selector here (frameworks call this part a handler): the tests give it
 * a request and look at the response it returns.
 */
final class Responder {

    private static final Set<String> OTHER_METHODS =
            Set.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT");

    private final StaticFiles files;

    Responder(StaticFiles files) {
        this.files = files;
    }

    Path root() {
        return files.root();
    }

    // tag::respond[]
    /** The response to a complete, well-formed request, its Connection header included. */
    Response respond(Request request) {
        return responseTo(request).withConnection(connectionHeader(request));
    }

    private Response responseTo(Request request) {
        String method = request.method();
        if (request.header("transfer-encoding") != null) {
            return refuse(request, Status.NOT_IMPLEMENTED, "request bodies with Transfer-Encoding are not supported");
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return OTHER_METHODS.contains(method)
                    ? refuse(request, Status.METHOD_NOT_ALLOWED, method + " is not allowed here").allowing("GET, HEAD")
                    : refuse(request, Status.NOT_IMPLEMENTED, "unknown method " + method);
        }
        if (request.contentLength() > 0) {
            return refuse(request, Status.CONTENT_TOO_LARGE, "this server accepts no request body");
        }
        try {
            return serve(request, files.find(request.originForm()));
        } catch (HttpError e) {
            return refuse(request, e.status, e.getMessage());
        }
    }

    /** HEAD is GET without the body: the same headers, Content-Length too, and no file opened. */
    private Response serve(Request request, StaticFiles.StaticFile file) throws HttpError {
        if (request.method().equals("HEAD")) {
            return Response.ok(file.contentType(), file.size(), Body.NONE);
        }
        if (file.bytes() != null) {
            return Response.ok(file.contentType(), file.size(), new Body.Bytes(file.bytes()));
        }
        Body.File body = files.open(file); // opened and checked now, whatever was found a moment ago
        return Response.ok(file.contentType(), body.length(), body);
    }

    private static Response refuse(Request request, Status status, String message) {
        Response error = Response.error(status, message);
        return request.method().equals("HEAD") ? error.withoutBody() : error;
    }
    // end::respond[]

    // tag::connection-header[]
    /**
     * A body we did not read would be parsed as the next request: after refusing it, close. And
     * close when the client asked for it (HTTP/1.1 {@code Connection: close}, or HTTP/1.0 without
     * {@code keep-alive}).
     */
    private static boolean closesAfter(Request request) {
        return !request.keepAlive() || request.hasBody();
    }

    /**
     * "close" when the server closes after this response. Otherwise nothing for HTTP/1.1, where
     * open is the default, and "keep-alive" for HTTP/1.0, whose client expects a close unless told.
     */
    private static String connectionHeader(Request request) {
        if (closesAfter(request)) {
            return "close";
        }
        return request.keepsAliveByDefault() ? null : "keep-alive";
    }
    // end::connection-header[]

    /**
     * The answer to bytes that make no request (the parser's error), or to a request that never
     * arrived whole (408): say why, then close, since nothing after them on this connection
     * could be trusted to start a request.
     */
    static Response refuseAndClose(HttpError error) {
        return Response.error(error.status, error.getMessage()).withConnection("close");
    }
}
