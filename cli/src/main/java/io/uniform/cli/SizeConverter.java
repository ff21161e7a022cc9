package io.uniform.cli;

import picocli.CommandLine;

/** Parses sizes like {@code 65536}, {@code 64K}, {@code 64M} or {@code 1G} into a byte count that is a multiple of 4 KiB. */
final class SizeConverter implements CommandLine.ITypeConverter<Integer> {
    @Override
    public Integer convert(String text) {
        String trimmed = text.trim().toUpperCase();
        long unit = 1;
        if (!trimmed.isEmpty()) {
            switch (trimmed.charAt(trimmed.length() - 1)) {
                case 'K' -> unit = 1L << 10;
                case 'M' -> unit = 1L << 20;
                case 'G' -> unit = 1L << 30;
                default -> { }
            }
        }
        String digits = unit == 1 ? trimmed : trimmed.substring(0, trimmed.length() - 1);
        long bytes;
        try {
            bytes = Long.parseLong(digits) * unit;
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a size (examples: 65536, 64K, 64M, 1G)");
        }
        if (bytes <= 0 || bytes > (1L << 30) || bytes % 4096 != 0) {
            throw new CommandLine.TypeConversionException("'" + text + "' must be a positive multiple of 4K, at most 1G");
        }
        return (int) bytes;
    }
}
