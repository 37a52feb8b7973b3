import type { URI } from 'sip.js';
import { parseSipAddress, type SipAddress } from '../../shared/domain/sip-address.js';

/**
 * The address of record a SIP URI names: scheme, user and host, without its parameters and headers.
 * A call or message from the phone network names its caller `sip:+4930…@gateway;user=phone`
 * (RFC 3261 §19.1.6); `user=phone` and `transport=…` say how to read or reach the URI, not who it is.
 */
export function addressOf(uri: URI): SipAddress | null {
  const user = uri.user;
  if (!user || (uri.scheme !== 'sip' && uri.scheme !== 'sips')) return null;
  return parseSipAddress(`${uri.scheme}:${user}@${uri.host}`);
}
