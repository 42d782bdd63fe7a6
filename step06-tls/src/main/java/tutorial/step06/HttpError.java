package tutorial.step06;

/**
 * A request this server will not serve, with the status to answer and a short message saying
 * why. The message becomes the body of the error response.
 */
final class HttpError extends Exception {

    private static final long serialVersionUID = 1L;

    final Status status;

    HttpError(Status status, String message) {
        super(message, null, false, false); // no stack trace: this is an answer, not a bug
        this.status = status;
    }
}
