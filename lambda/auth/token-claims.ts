/**
 * Claims of the service's tokens (a JWT in place of the XSTS token, which only Xbox Live can issue). A user token
 * carries `xuid` (and optionally `gamertag`, `titleId`, `deviceId`); a server token carries `server: true`.
 */
export interface TokenClaims {
  xuid?: string;
  gamertag?: string;
  titleId?: string;
  deviceId?: string;
  server?: boolean;
}
