package io.mnscheduler.numa;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The sysfs-shaped fixtures under src/test/resources/sysfs. */
final class Fixtures {
    private Fixtures() {
    }

    static Path root(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/sysfs/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    static NumaTopology topology(String name) {
        return NumaTopology.fromSysfs(root(name));
    }
}
