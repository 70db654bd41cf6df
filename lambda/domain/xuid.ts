// A xuid is a 64-bit unsigned Xbox user id written in decimal (spec §2.7.3); clients (XSAPI) read it into a uint64.
// The one rule for every xuid: a token's claim, a body's member constants, the token script's --xuid.
const DECIMAL_XUID = /^[1-9][0-9]{0,19}$/;
const MAX_XUID = 2n ** 64n - 1n;

/** What a xuid must look like, for messages. */
export const XUID_RULE =
  'a decimal number from 1 to 18446744073709551615 without leading zeros, such as 2533274790395904';

/** True when `text` is a xuid: decimal digits, no leading zero, at most 2^64 - 1. */
export function isXuid(text: string): boolean {
  return DECIMAL_XUID.test(text) && BigInt(text) <= MAX_XUID;
}
