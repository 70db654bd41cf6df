import { MpsdError } from '../domain/errors';
import { type ContractVersion, SUPPORTED_CONTRACT_VERSIONS } from '../domain/render';

/** Reads `x-xbl-contract-version` (spec §1.2): required; 107, or the older 104/105 rendering. */
export function readContractVersion(value: string | undefined): ContractVersion {
  if (value === undefined || value.trim() === '') {
    throw new MpsdError(
      'MissingContractVersion',
      'The x-xbl-contract-version header is required; send 107 (104 and 105 are also accepted).',
    );
  }
  const version = Number(value.trim());
  const supported = SUPPORTED_CONTRACT_VERSIONS.find((v) => v === version);
  if (supported === undefined) {
    throw new MpsdError(
      'UnsupportedContractVersion',
      `x-xbl-contract-version ${value.trim()} is not supported; send 107 (104 and 105 are also accepted).`,
    );
  }
  return supported;
}
