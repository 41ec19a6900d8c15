// Organisations of several keys, for the holdings rule (issue 15): what an organisation knows of a
// cell is what all its keys reported, so counting gives shares by organisation, not by key.
// Guarantees:
// - a key is its own organisation until the steward links it (`joinOrganisation`) or it enrols
//   with an invite made for an enrolled organisation (members.ts); a link only ever merges two
//   organisations (every key of the one joins the other), never splits one, so no action makes
//   an organisation's holdings look smaller than before;
// - a link writes in the transaction that consumes the steward's nonce; an unknown key id is
//   refused (404) and writes nothing; linking keys already together changes nothing;
// - `holderOf` names each key's organisation by one of its key ids; nothing about an organisation
//   but that link is stored, and it never leaves the server except in the steward's answer.
import { nonceRow } from '../db/nonces.js';
import type { StoreTx } from '../db/store.js';
import { AppError } from '../errors.js';
import type { Auth, ServiceContext } from './context.js';

export async function joinOrganisation(ctx: ServiceContext, auth: Auth, keyId: string, sameAs: string): Promise<{ keyId: string; sameOrganisationAs: string }> {
  await ctx.db.signed(nonceRow(auth), async (tx) => {
    if (!(await tx.members.joinOrganisation(keyId, sameAs))) throw new AppError('member_not_found');
  });
  return { keyId, sameOrganisationAs: sameAs };
}

/** The organisation of every key (a key id naming it): the key itself unless linked. */
export async function organisationsOf(ctx: ServiceContext, tx?: StoreTx): Promise<(keyId: string) => string> {
  const linked = new Map(await (tx ?? ctx.db).members.organisations());
  return (keyId) => linked.get(keyId) ?? keyId;
}
