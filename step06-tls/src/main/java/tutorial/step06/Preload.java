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

    private Preload() {
    }

    static void classesOfTheLoop() {
        for (String name : USED_BY_THE_LOOP) {
            try {
                Class.forName(Preload.class.getPackageName() + "." + name);
            } catch (ClassNotFoundException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }
}
