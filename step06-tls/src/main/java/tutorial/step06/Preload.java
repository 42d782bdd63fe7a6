package tutorial.step06;

import java.util.List;

/**
 * Loads every class of the step that the loop may use, before the loop runs. The JVM opens a
 * class file to load a class, and once the descriptors have run out, a class used for the first
 * time cannot be loaded (NoClassDefFoundError, and the loop would die of it).
 */
final class Preload {

    // Nested classes are files of their own, hence the names; a test checks that no class the
    // loop may use is missing here. (HttpServer$1 is the table javac makes for the switch on
    // IdleSweep.Verdict, TlsChannel$1 the one it makes for a switch on an enum of the JDK's.)
    static final List<String> USED_BY_THE_LOOP = List.of("AcceptGate", "AccessLog", "Body", "Body$Bytes",
            "Body$File", "Body$None", "Connection", "Connection$Ending", "Directory", "HttpError", "HttpServer$1",
            "IdleSweep", "IdleSweep$Verdict", "Limits", "Log", "Log$Line", "LoopStats", "MemoryBudget", "Request",
            "RequestParser", "RequestParser$State", "Responder", "Response", "Response$CachedDate", "Shutdown",
            "StaticFiles", "StaticFiles$Found", "StaticFiles$Located", "StaticFiles$StaticFile", "Status",
            "TlsChannel", "TlsChannel$1", "Trace");

    // Classes of the JDK that the TLS engine uses lazily and that open a file when first used.
    // On JDK 25 the engine checksums every session ticket it sends with Adler32, whose static
    // initializer loads the native library libzip.so: out of descriptors, the first handshake to
    // finish would throw UnsatisfiedLinkError and stop the server (seen in ConnectionLimitTest).
    static final List<String> JDK_CLASSES_USED_BY_TLS = List.of("java.util.zip.Adler32");

    private Preload() {
    }

    static void classesOfTheLoop() {
        for (String name : USED_BY_THE_LOOP) {
            load(Preload.class.getPackageName() + "." + name);
        }
        JDK_CLASSES_USED_BY_TLS.forEach(Preload::load);
    }

    private static void load(String className) {
        try {
            Class.forName(className); // and initialized: a static initializer may open files too
        } catch (ClassNotFoundException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
