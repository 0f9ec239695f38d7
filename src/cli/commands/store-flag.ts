/** `--store URL` as users, keys and clients take it; store-option.ts opens the store it names. */
import { Option } from 'commander';

export const storeFlag = () =>
  new Option(
    '--store <url>',
    'the store: sqlite:PATH or postgres://… (default: $GATEHOUSE_STORE, else sqlite:gatehouse.db)',
  );
