package io.syncer.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChdbServerTest {

    @Test
    void parsesTabSeparatedRowsAndUndoesItsEscapes() {
        assertEquals(List.of(), TabSeparated.parse(""));
        assertEquals(List.of(List.of("1", "a"), List.of("2", "")), TabSeparated.parse("1\ta\n2\t\n"));
        assertEquals(List.of(List.of("a\tb\nc\\d", "e'\r\0\b\f")),
                TabSeparated.parse("a\\tb\\nc\\\\d\te\\'\\r\\0\\b\\f\n"));
        assertEquals(List.of(Arrays.asList(null, "\\N", "x")), TabSeparated.parse("\\N\t\\\\N\tx"));
    }

    @Test
    void withoutTheModulesPropertyItSaysHowToInstallChdb(@TempDir Path empty) {
        for (String property : Arrays.asList(null, " ", empty.toString())) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> ChdbServer.modulesDirectory(property));
            assertTrue(e.getMessage().contains(ChdbServer.MODULES_PROPERTY)
                    && e.getMessage().contains("npm install --prefix <dir> --no-package-lock")
                    && e.getMessage().contains("chdb@3.4.0"), e.getMessage());
        }
    }

    @Test
    void acceptsADirectoryWithNodeModulesChdb(@TempDir Path modules) throws Exception {
        Path chdb = Files.createDirectories(modules.resolve("node_modules/chdb"));
        Files.writeString(chdb.resolve("package.json"), "{}");
        assertEquals(modules.toAbsolutePath(), ChdbServer.modulesDirectory(modules.toString()));
    }

    @Test
    void findsNodeOnPathOrSaysHowToInstallIt(@TempDir Path bin) throws Exception {
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> ChdbServer.findNode(bin.toString()));
        assertTrue(missing.getMessage().contains("apt-get install -y nodejs npm"), missing.getMessage());
        assertThrows(IllegalStateException.class, () -> ChdbServer.findNode(null));

        Path node = Files.createFile(bin.resolve("node"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        assertEquals(node, ChdbServer.findNode("/nonexistent:" + bin));
    }

    @Test
    void theFrontScriptShipsInTheJarAndSaysItIsAnEmulation() throws Exception {
        try (InputStream in = ChdbServer.class.getResourceAsStream("chdb-front.js")) {
            String script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(script.contains("EMULATES ClickHouse's HTTP protocol"), "the script's header");
            assertTrue(script.contains("require('chdb')"), "the script loads chdb");
        }
    }
}
