package io.uniform.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads {@link MachineDescription}s from HOCON: the presets shipped in this module's
 * {@code reference.conf} under {@code uniform.machines.<name>}, a {@link Config}, or a file.
 *
 * <p>A machine block has these keys ({@code reference.conf} documents them with examples):
 * <pre>
 *   name = my-machine                      # optional: the preset's key, or the file's name
 *   description = "..."                    # optional
 *   source = "..."                         # optional: where the figures come from
 *   mesh { x = 4, y = 4, z = 1 }           # routers; z defaults to 1 (a 2D mesh)
 *   nodes-per-router = 1                   # optional, default 1
 *   memory-per-node = 64 MiB               # a multiple of 4 KiB, at most 1 GiB
 *   link-bandwidth-bytes-per-second = 160 MB
 *   partitions {                           # every nid not listed is a compute node
 *     service = [0-12/4]                   # nid lists: N, A-B (inclusive), A-B/STEP
 *     io = []
 *     system = []
 *     absent = []                          # router slots with no node
 *   }
 *   placement {                            # optional: which cluster member hosts which nodes
 *     policy = blocks                      # blocks (default), round-robin or explicit
 *     members { 0 = [0-7], 1 = [8-15] }    # explicit only: member index (oldest first) to nids
 *   }
 * </pre>
 * A file (or {@link Config}) is either such a block, optionally starting from a preset with
 * {@code preset = NAME} and overriding parts of it, or a root configuration with a
 * {@code uniform} section, which adds to or overrides {@code uniform.machines} and picks one
 * with {@code uniform.machine}.
 *
 * <p>Every problem is reported as a {@link MachineConfigException} whose message names the
 * path (and file line) and what is wrong; no {@link ConfigException} escapes.
 */
public final class MachineDescriptions {
    /** The path naming the preset used when none is given. */
    public static final String DEFAULT_PATH = "uniform.machine";
    /** The path of the presets. */
    public static final String PRESETS_PATH = "uniform.machines";
    /** The most node positions a machine may have. */
    public static final int MAX_NODES = 100_000;
    /** Memory per node is a whole number of these. */
    public static final long PAGE_SIZE = 4096;
    /** The most memory a node may have: the CPU's physical memory is addressed by an int. */
    public static final long MAX_MEMORY_PER_NODE = 1L << 30;

    private static final Set<String> KEYS = Set.of("preset", "name", "description", "source", "mesh",
            "nodes-per-router", "memory-per-node", "link-bandwidth-bytes-per-second", "partitions", "placement");
    private static final Set<String> PLACEMENT_KEYS = Set.of("policy", "members");
    private static final Set<String> MESH_KEYS = Set.of("x", "y", "z");
    private static final Pattern RANGE = Pattern.compile("\\s*(\\d+)\\s*(?:-\\s*(\\d+)\\s*(?:/\\s*(\\d+)\\s*)?)?");

    private MachineDescriptions() {
    }

    /** The configuration the presets come from: {@code ConfigFactory.load()} (reference.conf, application.conf, system properties). */
    public static Config root() {
        try {
            return ConfigFactory.load();
        } catch (ConfigException e) {
            throw new MachineConfigException("cannot read the configuration: " + e.getMessage());
        }
    }

    /** The preset named {@code name}. */
    public static MachineDescription preset(String name) {
        return preset(root(), name);
    }

    /** The preset named {@code name} in {@code root}. */
    public static MachineDescription preset(Config root, String name) {
        Config block = presetBlock(root, name);
        return build(block, "preset '" + name + "'", PRESETS_PATH + "." + quoteKey(name) + ".", name);
    }

    /** The name of the preset used when none is given ({@code uniform.machine}). */
    public static String defaultPresetName() {
        return defaultPresetName(root());
    }

    /** The name of the preset {@code root} uses when none is given. */
    public static String defaultPresetName(Config root) {
        try {
            return root.getString(DEFAULT_PATH);
        } catch (ConfigException.Missing e) {
            throw new MachineConfigException(DEFAULT_PATH + ": missing: it names the preset used when none is given");
        } catch (ConfigException e) {
            throw new MachineConfigException(DEFAULT_PATH + ": must be a preset name: " + e.getMessage());
        }
    }

    /** The machine used when none is given: the {@code uniform.machine} preset. */
    public static MachineDescription defaultMachine() {
        Config root = root();
        return preset(root, defaultPresetName(root));
    }

    /** The preset names: the default first, then the others alphabetically. */
    public static List<String> presetNames() {
        return presetNames(root());
    }

    /** The preset names in {@code root}: its default first, then the others alphabetically. */
    public static List<String> presetNames(Config root) {
        Set<String> names = new TreeSet<>(presets(root).keySet());
        List<String> result = new ArrayList<>();
        String preferred = root.hasPath(DEFAULT_PATH) ? root.getValue(DEFAULT_PATH).unwrapped().toString() : null;
        if (preferred != null && names.remove(preferred)) {
            result.add(preferred);
        }
        result.addAll(names);
        return List.copyOf(result);
    }

    /**
     * A machine from {@code config}: a machine block (optionally {@code preset = NAME} plus
     * overrides) or a root configuration with a {@code uniform} section. A block without a
     * {@code name} takes its preset's name, or "custom".
     */
    public static MachineDescription fromConfig(Config config) {
        return fromConfig(config, "configuration", null);
    }

    /** A machine from the HOCON file {@code file} (see {@link #fromConfig(Config)}); an unnamed one takes the file's base name. */
    public static MachineDescription fromFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new MachineConfigException(file + ": no such file");
        }
        if (!Files.isReadable(file)) {
            throw new MachineConfigException(file + ": cannot be read");
        }
        Config config;
        try {
            config = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            throw new MachineConfigException(file + ": not valid HOCON: " + e.getMessage());
        }
        String base = file.getFileName().toString().replaceFirst("\\.(conf|hocon|json|properties)$", "");
        return fromConfig(config, file.toString(), base);
    }

    /** {@code defaultName} null: an unnamed block takes its preset's name, or "custom". */
    private static MachineDescription fromConfig(Config config, String label, String defaultName) {
        try {
            config = config.resolve();
        } catch (ConfigException e) {
            throw new MachineConfigException(label + ": " + e.getMessage());
        }
        if (config.hasPath("uniform")) {
            Config root;
            try {
                root = config.withFallback(root()).resolve();
            } catch (ConfigException e) {
                throw new MachineConfigException(label + ": " + e.getMessage());
            }
            return preset(root, defaultPresetName(root));
        }
        String name = defaultName == null ? "custom" : defaultName;
        Config block = config;
        if (config.hasPath("preset")) {
            ConfigValue value = config.getValue("preset");
            if (value.valueType() != ConfigValueType.STRING) {
                throw new MachineConfigException(label + ": preset: must be a preset name, got "
                        + describe(value) + originSuffix(value));
            }
            String preset = (String) value.unwrapped();
            block = config.withoutPath("preset").withFallback(presetBlock(root(), preset));
            if (defaultName == null) {
                name = preset;
            }
        }
        return build(block, label, "", name);
    }

    private static Map<String, ConfigValue> presets(Config root) {
        try {
            return root.getObject(PRESETS_PATH);
        } catch (ConfigException.Missing e) {
            throw new MachineConfigException(PRESETS_PATH + ": missing: no machine presets are defined");
        } catch (ConfigException e) {
            throw new MachineConfigException(PRESETS_PATH + ": must be an object of presets: " + e.getMessage());
        }
    }

    private static Config presetBlock(Config root, String name) {
        Map<String, ConfigValue> presets = presets(root);
        ConfigValue value = presets.get(name);
        if (value == null) {
            throw new MachineConfigException("unknown machine preset '" + name + "'; the presets are: "
                    + String.join(", ", presetNames(root)));
        }
        if (!(value instanceof ConfigObject object)) {
            throw new MachineConfigException(PRESETS_PATH + "." + quoteKey(name) + ": must be an object, got "
                    + describe(value) + originSuffix(value));
        }
        return object.toConfig();
    }

    // ---- building and validating one machine block ----

    /** Reads one machine block; {@code prefix} is prepended to paths in messages. */
    private static MachineDescription build(Config block, String label, String prefix, String defaultName) {
        Reader reader = new Reader(block, label, prefix);
        for (String key : block.root().keySet()) {
            if (!KEYS.contains(key)) {
                throw reader.error(key, block.root().get(key), "unknown key; the keys of a machine are: "
                        + String.join(", ", new TreeSet<>(KEYS)));
            }
        }
        String name = reader.optionalString("name", defaultName);
        if (name.isBlank()) {
            throw reader.error("name", block.getValue("name"), "must not be empty");
        }
        String description = reader.optionalString("description", "");
        String source = reader.optionalString("source", "");
        if (!block.hasPath("mesh")) {
            throw reader.missing("mesh", "the routers along x, y (and z): mesh { x = 4, y = 4 }");
        }
        ConfigObject mesh = reader.object("mesh");
        for (String key : mesh.keySet()) {
            if (!MESH_KEYS.contains(key)) {
                throw reader.error("mesh." + key, mesh.get(key), "unknown key; a mesh has x, y and z");
            }
        }
        int x = reader.positiveInt("mesh.x", null);
        int y = reader.positiveInt("mesh.y", null);
        int z = reader.positiveInt("mesh.z", 1);
        int perRouter = reader.positiveInt("nodes-per-router", 1);
        long positions = MachineDescription.positions(x, y, z, perRouter);
        if (positions > MAX_NODES) {
            throw reader.error("mesh", block.getValue("mesh"), "too large: " + x + " x " + y + " x " + z
                    + " routers x " + perRouter + " node(s) per router is more than " + MAX_NODES + " nodes");
        }
        long memory = reader.bytes("memory-per-node");
        if (memory <= 0 || memory % PAGE_SIZE != 0 || memory > MAX_MEMORY_PER_NODE) {
            throw reader.error("memory-per-node", block.getValue("memory-per-node"),
                    memory + " bytes is not " + (memory <= 0 ? "positive" : memory > MAX_MEMORY_PER_NODE
                            ? "at most 1 GiB" : "a multiple of 4 KiB (the page size)"));
        }
        long bandwidth = reader.bytes("link-bandwidth-bytes-per-second");
        if (bandwidth <= 0) {
            throw reader.error("link-bandwidth-bytes-per-second", block.getValue("link-bandwidth-bytes-per-second"),
                    "must be positive, got " + bandwidth);
        }
        byte[] partitions = new byte[(int) positions];
        Arrays.fill(partitions, (byte) Partition.COMPUTE.ordinal());
        if (block.hasPath("partitions")) {
            ConfigObject listed = reader.object("partitions");
            String[] owner = new String[partitions.length];
            for (String key : new TreeSet<>(listed.keySet())) {
                Partition partition = Partition.parse(key).orElse(null);
                String path = "partitions." + quoteKey(key);
                if (partition == null) {
                    throw reader.error(path, listed.get(key), "unknown partition '" + key
                            + "'; the partitions are service, io, system and absent (every other node is compute)");
                }
                if (partition == Partition.COMPUTE) {
                    throw reader.error(path, listed.get(key),
                            "compute is not listed: every nid not in service, io, system or absent is a compute node");
                }
                for (int nid : reader.nids(path, listed.get(key), partitions.length)) {
                    if (owner[nid] != null) {
                        throw reader.error(path, listed.get(key), "nid " + nid + " is also in " + owner[nid]
                                + ": the partitions overlap");
                    }
                    owner[nid] = path;
                    partitions[nid] = (byte) partition.ordinal();
                }
            }
        }
        MemberPlacement placement = block.hasPath("placement") ? placement(reader, partitions.length) : MemberPlacement.DEFAULT;
        return new MachineDescription(name, description, source, x, y, z, perRouter, memory, bandwidth, partitions, placement);
    }

    private static MemberPlacement placement(Reader reader, int positions) {
        ConfigObject placement = reader.object("placement");
        for (String key : placement.keySet()) {
            if (!PLACEMENT_KEYS.contains(key)) {
                throw reader.error("placement." + key, placement.get(key), "unknown key; a placement has policy and members");
            }
        }
        String policyName = reader.optionalString("placement.policy", MemberPlacement.Policy.BLOCKS.key());
        MemberPlacement.Policy policy = Arrays.stream(MemberPlacement.Policy.values()).filter(p -> p.key().equals(policyName))
                .findFirst().orElseThrow(() -> reader.error("placement.policy", placement.get("policy"),
                        "unknown policy '" + policyName + "'; the policies are blocks, round-robin and explicit"));
        if (!placement.containsKey("members")) {
            if (policy == MemberPlacement.Policy.EXPLICIT) {
                throw reader.missing("placement.members", "the nids of each member index: members { 0 = [0-7], 1 = [8-15] }");
            }
            return new MemberPlacement(policy, Map.of());
        }
        if (policy != MemberPlacement.Policy.EXPLICIT) {
            throw reader.error("placement.members", placement.get("members"), "only the explicit policy names members");
        }
        ConfigObject members = reader.object("placement.members");
        Map<Integer, Integer> memberOf = new java.util.HashMap<>();
        Map<Integer, String> owner = new java.util.HashMap<>();
        for (String key : new TreeSet<>(members.keySet())) {
            String path = "placement.members." + quoteKey(key);
            if (!key.matches("\\d{1,6}")) {
                throw reader.error(path, members.get(key), "'" + key + "' is not a member index (0 is the oldest member)");
            }
            for (int nid : reader.nids(path, members.get(key), positions)) {
                if (owner.containsKey(nid)) {
                    throw reader.error(path, members.get(key), "nid " + nid + " is also in " + owner.get(nid));
                }
                owner.put(nid, path);
                memberOf.put(nid, Integer.parseInt(key));
            }
        }
        return new MemberPlacement(policy, memberOf);
    }

    /** Typed reads of one block that turn every problem into a {@link MachineConfigException}. */
    private record Reader(Config block, String label, String prefix) {
        MachineConfigException error(String key, ConfigValue value, String problem) {
            return new MachineConfigException(label + ": " + prefix + key + ": " + problem + originSuffix(value));
        }

        MachineConfigException missing(String key, String what) {
            return new MachineConfigException(label + ": " + prefix + key + ": missing (" + what + ")");
        }

        String optionalString(String key, String fallback) {
            if (!block.hasPath(key)) {
                return fallback;
            }
            ConfigValue value = block.getValue(key);
            if (value.valueType() != ConfigValueType.STRING && value.valueType() != ConfigValueType.NUMBER) {
                throw error(key, value, "must be a string, got " + describe(value));
            }
            return value.unwrapped().toString();
        }

        ConfigObject object(String key) {
            ConfigValue value = block.getValue(key);
            if (!(value instanceof ConfigObject object)) {
                throw error(key, value, "must be an object { ... }, got " + describe(value));
            }
            return object;
        }

        int positiveInt(String key, Integer fallback) {
            if (!block.hasPath(key)) {
                if (fallback != null) {
                    return fallback;
                }
                throw missing(key, "a positive integer");
            }
            ConfigValue value = block.getValue(key);
            Object raw = value.unwrapped();
            if (raw instanceof Integer || raw instanceof Long) {
                long number = ((Number) raw).longValue();
                if (number > 0 && number <= MAX_NODES) {
                    return (int) number;
                }
            }
            throw error(key, value, "must be a positive integer" + (raw instanceof Number n && n.longValue() > MAX_NODES
                    ? " of at most " + MAX_NODES : "") + ", got " + describe(value));
        }

        long bytes(String key) {
            if (!block.hasPath(key)) {
                throw missing(key, "a size in bytes, e.g. 64 MiB");
            }
            ConfigValue value = block.getValue(key);
            try {
                return block.getBytes(key);
            } catch (ConfigException e) {
                throw error(key, value, "must be a size in bytes (e.g. 67108864, 64 MiB, 800 MB), got " + describe(value));
            }
        }

        /** The nids of a list: numbers, "A-B" and "A-B/STEP" entries, or one string of them separated by commas. */
        List<Integer> nids(String key, ConfigValue value, int positions) {
            List<ConfigValue> entries = new ArrayList<>();
            if (value instanceof ConfigList list) {
                entries.addAll(list);
            } else if (value.valueType() == ConfigValueType.NUMBER || value.valueType() == ConfigValueType.STRING) {
                entries.add(value);
            } else {
                throw error(key, value, "must be a list of nids like [0-3, 8, 16-48/16], got " + describe(value));
            }
            List<Integer> nids = new ArrayList<>();
            for (ConfigValue entry : entries) {
                if (entry.valueType() != ConfigValueType.NUMBER && entry.valueType() != ConfigValueType.STRING) {
                    throw error(key, entry, "a nid list holds numbers and ranges like 0-3 or 0-48/16, not " + describe(entry));
                }
                for (String part : entry.unwrapped().toString().split(",")) {
                    if (part.isBlank() && entry.valueType() == ConfigValueType.STRING) {
                        continue;
                    }
                    Matcher matcher = RANGE.matcher(part);
                    if (!matcher.matches()) {
                        throw error(key, entry, "'" + part.trim() + "' is not a nid, a range A-B or a strided range A-B/STEP");
                    }
                    long first = parse(matcher.group(1));
                    long last = matcher.group(2) == null ? first : parse(matcher.group(2));
                    long step = matcher.group(3) == null ? 1 : parse(matcher.group(3));
                    if (last < first) {
                        throw error(key, entry, "range '" + part.trim() + "' runs backwards");
                    }
                    if (step <= 0) {
                        throw error(key, entry, "range '" + part.trim() + "' needs a positive step");
                    }
                    last = first + (last - first) / step * step;
                    if (last >= positions) {
                        long outside = first >= positions ? first : first + ((positions - first + step - 1) / step) * step;
                        throw error(key, entry, "nid " + outside + " is out of range: the mesh has nids 0.."
                                + (positions - 1));
                    }
                    for (long nid = first; nid <= last; nid += step) {
                        nids.add((int) nid);
                    }
                }
            }
            return nids;
        }

        private static long parse(String digits) {
            return digits.length() > 12 ? Long.MAX_VALUE / 2 : Long.parseLong(digits);
        }
    }

    private static String describe(ConfigValue value) {
        return switch (value.valueType()) {
            case OBJECT -> "an object";
            case LIST -> "a list";
            case NULL -> "null";
            case STRING -> "'" + value.unwrapped() + "'";
            default -> String.valueOf(value.unwrapped());
        };
    }

    private static String originSuffix(ConfigValue value) {
        if (value == null) {
            return "";
        }
        ConfigOrigin origin = value.origin();
        if (origin == null || origin.lineNumber() <= 0) {
            return "";
        }
        String where = origin.filename() != null ? Path.of(origin.filename()).getFileName().toString()
                : origin.resource() != null ? origin.resource() : origin.description().replaceFirst(":\\s*\\d+$", "");
        return " (" + where + ":" + origin.lineNumber() + ")";
    }

    private static String quoteKey(String key) {
        return key.matches("[A-Za-z0-9_-]+") ? key : "\"" + key + "\"";
    }
}
