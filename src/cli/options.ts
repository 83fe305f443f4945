/**
 * Parsers for numeric command-line options, shared by the commands. Each
 * refuses what it cannot use with a UserError (E_OPTION_INVALID) that names
 * the option, the accepted range and what was found.
 */
import { UserError } from "../core/errors.js";

/** An integer from 1 to `max`. */
export function parsePositiveInt(value: string, option: string, max = 1000): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new UserError(
      "E_OPTION_INVALID",
      `option ${option}: expected an integer from 1 to ${max}, found ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** A seed: any non-negative integer (0 is a valid seed). */
export function parseSeed(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new UserError(
      "E_OPTION_INVALID",
      `option --seed: expected a non-negative integer, found ${JSON.stringify(value)}`,
    );
  return n;
}

/** Seconds of biological time in (0, 3600]. */
export function parseDuration(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const s = Number(value);
  if (!Number.isFinite(s) || s <= 0 || s > 3600) {
    throw new UserError(
      "E_OPTION_INVALID",
      `option --duration: expected seconds of biological time in (0, 3600], found ${JSON.stringify(value)}`,
    );
  }
  return s;
}
