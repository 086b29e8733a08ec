package dev.rebuild.core.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Configuration values that name an enum constant in lower case ({@code fixable}, {@code minor}).
 */
public final class EnumNames {

  private EnumNames() {}

  /**
   * The constant {@code text} names (any case); {@code fallback} when it is null or blank.
   *
   * @param what the setting, for the message ({@code "failOn value"})
   * @throws IllegalArgumentException naming the accepted values
   */
  public static <E extends Enum<E>> E parse(Class<E> type, String text, E fallback, String what) {
    if (text == null || text.isBlank()) {
      return fallback;
    }
    try {
      return Enum.valueOf(type, text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a "
              + what
              + "; use one of "
              + Arrays.stream(type.getEnumConstants())
                  .map(EnumNames::name)
                  .collect(Collectors.joining(", ")),
          e);
    }
  }

  /** The constant's name as configured: lower case. */
  public static String name(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT);
  }
}
