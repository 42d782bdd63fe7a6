import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Keeps the versions of every module in step with the top pom.
 *
 * <p>Every module's pom stands alone (no {@code <parent>}), so that a step folder copied out of
 * the repository still builds. Each one therefore repeats the Java release, the test libraries and
 * the plugin versions. The top pom's {@code <properties>} are the reference, and for every module
 * listed in its {@code <modules>} this program checks that:
 * <ul>
 *   <li>the pom has no {@code <parent>} and the top pom's groupId and version;</li>
 *   <li>it declares {@code maven.compiler.release} and {@code project.build.sourceEncoding};</li>
 *   <li>each property it shares with the top pom has the top pom's value;</li>
 *   <li>each plugin has a version, and each plugin or dependency version is written as a
 *       reference to one of those properties ({@code ${junit.version}}), never as a number;
 *       a dependency on another module of this repository is {@code ${project.version}}.</li>
 * </ul>
 * It prints one line per problem and exits with status 1, or says that all is well.
 *
 * <p>Run from the repository's top folder: {@code java tools/CheckVersions.java} checks (the build
 * runs it first); {@code java tools/CheckVersions.java --update} writes the top pom's values into
 * every module that differs, which is how a version is changed: edit the top pom, then --update.
 */
public class CheckVersions {

    private static final List<String> REQUIRED = List.of("maven.compiler.release", "project.build.sourceEncoding");
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^}]+)}");
    private static final String OWN_GROUP = "tutorial";

    public static void main(String[] args) throws Exception {
        boolean update = args.length > 0 && args[0].equals("--update");
        Path top = Path.of("").toAbsolutePath();
        if (!Files.isRegularFile(top.resolve("tools/CheckVersions.java"))) {
            System.out.println("CheckVersions: run me from the repository's top folder (java tools/CheckVersions.java)");
            System.exit(2);
        }
        Document root = parse(top.resolve("pom.xml"));
        Map<String, String> reference = properties(root);
        String groupId = text(root.getDocumentElement(), "groupId");
        String version = text(root.getDocumentElement(), "version");

        List<String> problems = new ArrayList<>();
        List<String> modules = children(child(root.getDocumentElement(), "modules"), "module").stream()
                .map(Node::getTextContent).map(String::trim).toList();
        int updated = 0;
        for (String module : modules) {
            Path pom = top.resolve(module).resolve("pom.xml");
            String where = module + "/pom.xml";
            if (!Files.isRegularFile(pom)) {
                problems.add(where + ": no such file (the top pom lists module " + module + ")");
                continue;
            }
            if (update) {
                updated += update(pom, reference);
            }
            check(where, parse(pom), reference, groupId, version, problems);
        }

        if (problems.isEmpty()) {
            System.out.printf("Versions check: the %d modules' poms stand alone and carry the top pom's versions%s.%n",
                    modules.size(), update ? " (" + updated + " values updated)" : "");
            return;
        }
        System.out.println("Versions check FAILED: a module's pom differs from the top pom.");
        problems.forEach(p -> System.out.println("  " + p));
        System.out.println("To change a version: edit it in the top pom, then run java tools/CheckVersions.java --update.");
        System.exit(1);
    }

    private static void check(String where, Document pom, Map<String, String> reference, String groupId,
                              String version, List<String> problems) {
        Element project = pom.getDocumentElement();
        if (child(project, "parent") != null) {
            problems.add(where + ": has a <parent>; a module must stand alone, with its versions in its own <properties>");
        }
        if (!groupId.equals(text(project, "groupId"))) {
            problems.add(where + ": groupId is " + text(project, "groupId") + ", the top pom's is " + groupId);
        }
        if (!version.equals(text(project, "version"))) {
            problems.add(where + ": version is " + text(project, "version") + ", the top pom's is " + version);
        }
        Map<String, String> own = properties(pom);
        for (String name : REQUIRED) {
            if (!own.containsKey(name)) {
                problems.add(where + ": does not set " + name + " (the top pom says " + reference.get(name) + ")");
            }
        }
        own.forEach((name, value) -> {
            if (reference.containsKey(name) && !reference.get(name).equals(value)) {
                problems.add(where + ": " + name + " is " + value + ", the top pom says " + reference.get(name));
            }
        });
        for (Element plugin : elements(project, "plugin")) {
            String name = text(plugin, "artifactId");
            if (child(plugin, "version") == null) {
                problems.add(where + ": plugin " + name + " has no <version>");
            } else {
                checkReference(where, "plugin " + name, text(plugin, "version"), reference, own, problems);
            }
        }
        for (Element dependency : elements(project, "dependency")) {
            String name = text(dependency, "artifactId");
            if (child(dependency, "version") == null) {
                continue; // managed: by the junit-bom import, say
            }
            String written = text(dependency, "version");
            if (OWN_GROUP.equals(text(dependency, "groupId"))) {
                if (!written.equals("${project.version}")) {
                    problems.add(where + ": dependency " + name + " is at " + written
                            + "; a module of this repository is written ${project.version}");
                }
            } else {
                checkReference(where, "dependency " + name, written, reference, own, problems);
            }
        }
    }

    private static void checkReference(String where, String what, String written, Map<String, String> reference,
                                       Map<String, String> own, List<String> problems) {
        Matcher matcher = REFERENCE.matcher(written);
        if (!matcher.matches()) {
            String same = reference.entrySet().stream().filter(p -> p.getValue().equals(written))
                    .map(p -> "${" + p.getKey() + "}").findFirst().orElse("a property that you add to the top pom");
            problems.add(where + ": " + what + " has version " + written + " written out; write " + same + " instead");
        } else if (!reference.containsKey(matcher.group(1))) {
            problems.add(where + ": " + what + " uses ${" + matcher.group(1)
                    + "}, which the top pom does not have; add it there first");
        } else if (!own.containsKey(matcher.group(1))) {
            problems.add(where + ": " + what + " uses ${" + matcher.group(1) + "} but the pom does not set it"
                    + " (the top pom says " + reference.get(matcher.group(1)) + ")");
        }
    }

    /** Rewrites {@code <name>old</name>} to the top pom's value for each shared property; returns how many. */
    private static int update(Path pom, Map<String, String> reference) throws Exception {
        String text = Files.readString(pom, StandardCharsets.UTF_8);
        int changes = 0;
        for (Map.Entry<String, String> property : properties(parse(pom)).entrySet()) {
            String wanted = reference.get(property.getKey());
            if (wanted != null && !wanted.equals(property.getValue())) {
                String tag = Pattern.quote(property.getKey());
                text = text.replaceFirst("<" + tag + ">\\s*" + Pattern.quote(property.getValue()) + "\\s*</" + tag + ">",
                        Matcher.quoteReplacement("<" + property.getKey() + ">" + wanted + "</" + property.getKey() + ">"));
                System.out.println("  " + pom.getParent().getFileName() + "/pom.xml: " + property.getKey() + " "
                        + property.getValue() + " -> " + wanted);
                changes++;
            }
        }
        if (changes > 0) {
            Files.writeString(pom, text, StandardCharsets.UTF_8);
        }
        return changes;
    }

    private static Document parse(Path pom) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(false);
        try {
            return factory.newDocumentBuilder().parse(pom.toFile());
        } catch (IOException | org.xml.sax.SAXException e) {
            System.out.println("Versions check FAILED: cannot read " + pom + ": " + e.getMessage());
            System.exit(1);
            return null;
        }
    }

    /** The project's own {@code <properties>} (not those of profiles), in the order written. */
    private static Map<String, String> properties(Document pom) {
        Map<String, String> properties = new LinkedHashMap<>();
        for (Element property : children(child(pom.getDocumentElement(), "properties"), null)) {
            properties.put(property.getTagName(), property.getTextContent().trim());
        }
        return properties;
    }

    private static List<Element> elements(Element under, String tag) {
        List<Element> found = new ArrayList<>();
        NodeList nodes = under.getElementsByTagName(tag);
        for (int i = 0; i < nodes.getLength(); i++) {
            found.add((Element) nodes.item(i));
        }
        return found;
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> found = new ArrayList<>();
        if (parent == null) {
            return found;
        }
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && (tag == null || element.getTagName().equals(tag))) {
                found.add(element);
            }
        }
        return found;
    }

    private static Element child(Element parent, String tag) {
        List<Element> found = children(parent, tag);
        return found.isEmpty() ? null : found.get(0);
    }

    private static String text(Element parent, String tag) {
        Element element = child(parent, tag);
        return element == null ? "(none)" : element.getTextContent().trim();
    }
}
