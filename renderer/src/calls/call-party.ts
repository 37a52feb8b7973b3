import { formatPhone } from '../../../shared/domain/phone';
import { parseSipAddress } from '../../../shared/domain/sip-address';
import type { ContactsState } from '../contacts/contacts-state.svelte';

/** The other side of a call, as a call or a history record carries it. */
export interface CallParty {
  readonly peer: string;
  readonly number?: string;
  readonly peerName: string;
}

/** Where they are: a number the way my country writes it, else their SIP address. */
export function partyAddress(party: CallParty, country: string): string {
  return party.number ? formatPhone(party.number, country) : (parseSipAddress(party.peer)?.address ?? party.peer);
}

/**
 * Who they are: my name for them (by their SIP address, or by the number a call from the phone
 * network carries), else the name their call carried, else where they are.
 */
export function partyName(contacts: ContactsState, party: CallParty, country: string): string {
  if (contacts.byUri.has(party.peer)) return contacts.nameFor(party.peer);
  const byNumber = party.number ? contacts.byNumber.get(party.number) : undefined;
  if (byNumber) return contacts.nameFor(byNumber.uri);
  return party.peerName || partyAddress(party, country);
}
