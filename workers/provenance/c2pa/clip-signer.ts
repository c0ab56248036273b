// The ClipSigner the engine and media workers hand the encoder: signC2pa with
// this install's key. When the stored key could not be used and a new one
// was made, the clip's ContentCredentials.note says so (clips signed before
// now name another signer), and the console says it too.
import type { ClipSigner } from '../stamp';
import { signC2pa } from './sign';

export const signClipWithInstallKey: ClipSigner = async (mp4, claim) => {
  let note: string | undefined;
  const signed = await signC2pa(mp4, claim, {
    onIdentityReplaced: (problem) => {
      note = `This install's signing key for Content Credentials could not be read (${problem}), so a new one was made: clips signed from now on name a new signer.`;
    },
  });
  return note === undefined ? { mp4: signed } : { mp4: signed, note };
};
