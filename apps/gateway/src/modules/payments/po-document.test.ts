import { describe, expect, it } from 'vitest';
import { attachmentDisposition, cleanFileName } from './po-document.ts';

describe('cleanFileName', () => {
  it('keeps a name as written, in any script', () => {
    expect(cleanFileName('Zoë’s PO ✓ 注文.pdf')).toBe('Zoë’s PO ✓ 注文.pdf');
    expect(cleanFileName('Заказ № 12 (α).PDF')).toBe('Заказ № 12 (α).PDF');
    expect(cleanFileName("O'Brien PO.pdf")).toBe("O'Brien PO.pdf");
    // The letter and its accent apart (as macOS writes names) are the one letter.
    expect(cleanFileName('Zoe\u0308.pdf')).toBe('Zoë.pdf');
  });

  it('names it as the PDF it is', () => {
    expect(cleanFileName('scan.txt')).toBe('scan.txt.pdf');
    expect(cleanFileName('scan')).toBe('scan.pdf');
    expect(cleanFileName('')).toBe('purchase-order.pdf');
    expect(cleanFileName(' .pdf')).toBe('purchase-order.pdf');
  });

  it('drops folders, control characters, bidi controls and double quotes', () => {
    expect(cleanFileName('../../evil "name".pdf')).toBe('evil name.pdf');
    expect(cleanFileName('C:\\Users\\zoe\\po.pdf')).toBe('po.pdf');
    expect(cleanFileName('a\u0000b\u0007c\u007f\u0085d.pdf')).toBe('abcd.pdf');
    expect(cleanFileName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe.pdf');
    for (const control of [
      '\u202A',
      '\u202B',
      '\u202C',
      '\u202D',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
      '\u200E',
      '\u200F',
      '\u061C',
    ]) {
      expect(cleanFileName(`a${control}b.pdf`), control.codePointAt(0)?.toString(16)).toBe('ab.pdf');
    }
    // A browser sends " in a multipart file name as %22, and a line break as %0A or %0D (HTML standard).
    expect(cleanFileName('evil %22name%22.pdf')).toBe('evil name.pdf');
    expect(cleanFileName('two%0D%0Alines.pdf')).toBe('two lines.pdf');
    expect(cleanFileName('tab\there\n  and\u2028there .pdf')).toBe('tab here and there.pdf');
    // Half a surrogate pair has no UTF-8 form: it could not be stored.
    expect(cleanFileName('a\uD800b.pdf')).toBe('a\uFFFDb.pdf');
  });

  it('keeps at most 100 characters, never splitting one', () => {
    expect(cleanFileName(`${'a'.repeat(200)}.pdf`)).toBe(`${'a'.repeat(96)}.pdf`);
    expect(cleanFileName('a'.repeat(200))).toBe(`${'a'.repeat(96)}.pdf`);
    const flags = '🇬🇧'.repeat(120);
    expect(cleanFileName(flags)).toBe(`${'🇬🇧'.repeat(96)}.pdf`);
    expect(cleanFileName(`${'e\u0301'.repeat(120)}.pdf`)).toBe(`${'é'.repeat(96)}.pdf`);
  });
});

describe('attachmentDisposition', () => {
  it('sends an ASCII name as it is', () => {
    expect(attachmentDisposition('scan.txt.pdf')).toBe('attachment; filename="scan.txt.pdf"');
    expect(attachmentDisposition("O'Brien (1).pdf")).toBe('attachment; filename="O\'Brien (1).pdf"');
  });

  it('sends any other name as written in filename*, with an ASCII fallback (RFC 6266, RFC 5987)', () => {
    expect(attachmentDisposition('Zoë’s PO ✓ 注文.pdf')).toBe(
      "attachment; filename=\"Zoe's PO _ __.pdf\"; filename*=UTF-8''Zo%C3%AB%E2%80%99s%20PO%20%E2%9C%93%20%E6%B3%A8%E6%96%87.pdf",
    );
    // RFC 5987's attr-char has no ' ( ) *: they are encoded too.
    expect(attachmentDisposition('café (1)*.pdf')).toBe(
      'attachment; filename="cafe (1)*.pdf"; filename*=UTF-8\'\'caf%C3%A9%20%281%29%2A.pdf',
    );
    // A % and two hex digits is read as an escape by some clients (RFC 6266 appendix D).
    expect(attachmentDisposition('100%41 done.pdf')).toBe(
      'attachment; filename="100_41 done.pdf"; filename*=UTF-8\'\'100%2541%20done.pdf',
    );
  });

  it('never lets a name end the quoted string or the header', () => {
    for (const name of ['a"b.pdf', 'a\\b.pdf', 'a\r\nSet-Cookie: x=1.pdf', 'a\u0000b.pdf']) {
      const header = attachmentDisposition(name);
      expect(header, name).toMatch(
        /^attachment; filename="[\x20-\x21\x23-\x5b\x5d-\x7e]*"(; filename\*=UTF-8''[\x21-\x7e]+)?$/,
      );
    }
  });
});
