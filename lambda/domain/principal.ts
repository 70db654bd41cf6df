/**
 * Who is calling, as the verified token says (spec §2.14). A user principal carries a xuid; a server principal
 * (a game server or matchmaking service) may act on `servers` and on members by index. A token can carry both.
 */
export interface Principal {
  /** Decimal xuid of the user, when the token names one. */
  readonly xuid?: string;
  readonly gamertag?: string;
  /** Decimal title id the token was issued to. */
  readonly titleId?: string;
  /** Device id, used by the `local` join and read restrictions. */
  readonly deviceId?: string;
  /** True for a server (service) principal. */
  readonly isServer: boolean;
}
