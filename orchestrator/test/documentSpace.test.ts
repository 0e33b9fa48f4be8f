// The plan's estimate of the disk the notes' files take, from the first documents Actionstep lists, and its warning
// when they and the run's own files will not fit where they are kept.
import { DISK_RESERVE_BYTES, documentSpaceSentence, documentSpaceWarning, estimateDocumentSpace } from '../src/plan/documentSpace';
import { contextFor, doc, smallFirm } from './fixtures';

const plan = contextFor(smallFirm()).plan;
const rule = { options: plan.options, maxUploadFileSize: plan.destination.maxUploadFileSize };
const sample = [
  doc('1', '10', 1_000_000),
  doc('2', '10', 3_000_000),
  doc('3', '10', 500_000, { isDeleted: true }), // does not migrate
  doc('4', '10', 700_000, { file: null }), // nothing to download
  doc('5', '10', Math.floor((rule.maxUploadFileSize / 4) * 3) + 3), // over the attachment limit: a link, not kept
];

describe('disk space of the notes\' files, told at discover', () => {
  test('the kept files of the sample, per document listed, times the documents Actionstep counts', () => {
    const s = estimateDocumentSpace(1_000, sample, rule, null);
    expect(s).toEqual({ documents: 1_000, sampled: 5, keptInSample: 2, estimatedBytes: 800_000_000 }); // 4 MB / 5 × 1,000
    expect(documentSpaceSentence(s)).toBe("The notes' files need about 762.9 MB on the computer that runs extract (estimated from the sizes of the first 5 of 1,000 documents Actionstep lists), and 256.0 MB more for the run's own files.");
    expect(documentSpaceWarning(s)).toBeNull(); // where the free space is not known, nothing to warn of
  });

  test('warns when the estimate and the reserve do not fit the free space, not when they do', () => {
    const where = 'the disk of /state/documents';
    const fits = estimateDocumentSpace(1_000, sample, rule, { freeBytes: 800_000_000 + DISK_RESERVE_BYTES, where });
    expect(documentSpaceWarning(fits)).toBeNull();
    expect(documentSpaceSentence(fits)).toMatch(/; the disk of \/state\/documents has 1018\.9 MB free\.$/);
    const short = estimateDocumentSpace(1_000, sample, rule, { freeBytes: 800_000_000 + DISK_RESERVE_BYTES - 1, where });
    expect(documentSpaceWarning(short)).toBe(`${documentSpaceSentence(short)} Extract would stop before downloading them: free some space there, or move the state folder (stateDir in the config) to a larger disk before extract.`);
  });

  test('every document sampled: says so; attachments off: nothing to keep', () => {
    expect(documentSpaceSentence(estimateDocumentSpace(5, sample, rule, null))).toContain('(the sizes of all 5 documents)');
    const off = estimateDocumentSpace(1_000, sample, { ...rule, options: { ...rule.options, attachDocuments: false } }, { freeBytes: 1, where: 'x' });
    expect(off.estimatedBytes).toBe(0);
    expect(documentSpaceWarning(off)).toBeNull();
  });
});
