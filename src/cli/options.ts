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

const SIZE_UNITS: Readonly<Record<string, number>> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/** A memory size: bytes, or a number with K, M, G or T (binary multiples: 8G = 8 GiB). */
export function parseMemorySize(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m?.[2]?.toLowerCase() ?? "";
  const bytes = m !== null && Object.hasOwn(SIZE_UNITS, unit) ? Number(m[1]) * SIZE_UNITS[unit]! : Number.NaN;
  if (!(bytes >= 1024 * 1024) || !Number.isFinite(bytes)) {
    throw new UserError(
      "E_OPTION_INVALID",
      `option ${option}: expected a memory size of at least 1M, such as 8G, 512M or 1.5T (binary multiples), found ${JSON.stringify(value)}`,
    );
  }
  return Math.floor(bytes);
}
