import { MpsdError } from '../domain/errors';
import { type ContractVersion, SUPPORTED_CONTRACT_VERSIONS } from '../domain/session/legacy-contract';

/**
 * Reads `x-xbl-contract-version` (spec §1.2): required; exactly `107`, or `104`/`105` for the older rendering. The
 * text is compared, not its numeric value: `0x6b`, `107.0`, `1.07e2` and `+107` are not what any client sends.
 */
export function readContractVersion(value: string | undefined): ContractVersion {
  if (value === undefined || value.trim() === '') {
    throw new MpsdError(
      'MissingContractVersion',
      'The x-xbl-contract-version header is required; send 107 (104 and 105 are also accepted).',
    );
  }
  const text = value.trim();
  const supported = SUPPORTED_CONTRACT_VERSIONS.find((v) => String(v) === text);
  if (supported === undefined) {
    throw new MpsdError(
      'UnsupportedContractVersion',
      `x-xbl-contract-version "${text.slice(0, 100)}" is not supported; send exactly 107 (104 and 105 are also accepted).`,
    );
  }
  return supported;
}
