import * as vscode from 'vscode';
import type { ApiAnswer, BouncerError, FoundValue, InvalidBodyReason } from '../core/errors';
import { localCount } from './units';

// Why a download or an API answer is not valid, worded for the user: one function per reason family.
// Apart from errorMessages.ts because it is a family of its own (about thirty reasons).

/**
 * Why a download or an answer is not what was asked for, in the user's language; the same words as
 * core's English `message`, which a reason this does not know (or none) shows instead.
 */
export function invalidBodyText(error: BouncerError): string {
  const reason = error.reason;
  switch (reason?.code) {
    case 'bodyNotExpected':
      return notExpectedText(reason);
    case 'bodyErrorObject':
      return vscode.l10n.t('The server sent an error object instead of results.');
    case 'bodyContentType':
      return vscode.l10n.t(
        'The server sent {0} instead of {1} results.',
        reason.found === 'html' ? vscode.l10n.t('an HTML page') : reason.found.toUpperCase(),
        reason.format.toUpperCase(),
      );
    case 'bodyMissing':
      return vscode.l10n.t('The server sent no results body.');
    case 'bodyEmpty':
      if (reason.format === 'csv') {
        return reason.blank
          ? vscode.l10n.t(
              'The server sent a CSV file of blank space, with no header line. Try again, or open the batch as JSON.',
            )
          : vscode.l10n.t(
              'The server sent an empty CSV file, with no header line. Try again, or open the batch as JSON.',
            );
      }
      return reason.blank
        ? vscode.l10n.t('The download held only whitespace; expected a JSON array.')
        : vscode.l10n.t('The download was empty; expected a JSON array.');
    case 'bodyOnlyWhitespace':
      return vscode.l10n.t(
        'The server sent no results in the first {0} KiB of the download, only whitespace.',
        localCount(reason.kib),
      );
    case 'bodyTruncated':
      return vscode.l10n.t(
        'The download ended before the JSON array was complete (after {0} records, {1} bytes): the body is truncated.',
        localCount(reason.records),
        localCount(reason.bytes),
      );
    case 'csvTruncated':
      return vscode.l10n.t(
        'The CSV download ended inside a quoted field (after {0} bytes): the body is truncated.',
        localCount(reason.bytes),
      );
    case 'bodySyntax':
      return bodySyntaxText(reason);
    case 'bodyNotJson':
      // The problem is the JSON engine's own words: there is no other.
      return vscode.l10n.t('The download is not valid JSON: {0}.', reason.problem);
    case 'recordNotJson':
      return vscode.l10n.t('Record {0} is not valid JSON: {1}.', reason.record, reason.problem);
    case 'recordTooLarge':
      return vscode.l10n.t(
        'Record {0} is larger than {1} MiB; refusing to buffer it.',
        reason.record,
        localCount(reason.maxMiB),
      );
    case 'recordNotResult':
      return reason.field === undefined
        ? vscode.l10n.t(
            'Record {0} is not an email result: it is {1}, not an object.',
            reason.record,
            foundText(reason.found),
          )
        : vscode.l10n.t(
            'Record {0} is not an email result: its "{1}" is {2}, not a string.',
            reason.record,
            reason.field,
            foundText(reason.found),
          );
    case 'answerUnexpected':
      return answerUnexpectedText(reason.expected);
    case 'answerTooLarge':
      return answerTooLargeText(localCount(reason.maxKiB), reason.expected);
    default:
      return error.message;
  }
}

function notExpectedText(reason: Extract<InvalidBodyReason, { code: 'bodyNotExpected' }>): string {
  // "CSV" is the format's name, the same in every language.
  const expected = reason.expected === 'csv' ? 'CSV' : vscode.l10n.t('a JSON array of records');
  switch (reason.found) {
    case 'html':
      return vscode.l10n.t('The server sent an HTML page where {0} was expected.', expected);
    case 'errorObject':
      return vscode.l10n.t('The server sent an error object where {0} was expected: {1}.', expected, reason.said ?? '');
    case 'jsonObject':
      return vscode.l10n.t('The server sent a JSON object where {0} was expected.', expected);
    case 'json':
      return vscode.l10n.t('The server sent JSON where {0} was expected.', expected);
    case 'other':
      return vscode.l10n.t('The download is not {0}.', expected);
  }
}

function bodySyntaxText(reason: Extract<InvalidBodyReason, { code: 'bodySyntax' }>): string {
  switch (reason.problem) {
    case 'noCommaAfter':
      return vscode.l10n.t(
        'The download is not a valid JSON array of records: expected "," or "]" after record {0}.',
        reason.record,
      );
    case 'commaBeforeEnd':
      return vscode.l10n.t('The download is not a valid JSON array of records: a "," is followed by "]".');
    case 'notObject':
      return vscode.l10n.t(
        'The download is not a valid JSON array of records: record {0} is not a JSON object.',
        reason.record,
      );
    case 'dataAfterEnd':
      return vscode.l10n.t(
        'The download is not a valid JSON array of records: unexpected data after the end of the array.',
      );
  }
}

/** A value found in a record: its kind, or its text (a string quoted and, when long, cut short). */
function foundText(found: FoundValue): string {
  switch (found.kind) {
    case 'missing':
      return vscode.l10n.t('missing');
    case 'null':
      // JSON's own word.
      return 'null';
    case 'array':
      return vscode.l10n.t('an array');
    case 'object':
      return vscode.l10n.t('an object');
    case 'value':
      return found.fullLength === undefined
        ? found.text
        : vscode.l10n.t('{0}… ({1} characters)', found.text, localCount(found.fullLength));
  }
}

function answerUnexpectedText(expected: ApiAnswer): string {
  switch (expected) {
    case 'batchStatus':
      return vscode.l10n.t('The server sent something other than a batch status.');
    case 'newBatch':
      return vscode.l10n.t('The server did not answer with a new batch.');
    case 'credits':
      return vscode.l10n.t('The server did not say how many credits are left.');
    case 'verification':
      return vscode.l10n.t('The server did not answer with a verification result.');
  }
}

function answerTooLargeText(max: string, expected: ApiAnswer | undefined): string {
  switch (expected) {
    case 'batchStatus':
      return vscode.l10n.t("The server's answer is over {0} KiB: not a batch status.", max);
    case 'newBatch':
      return vscode.l10n.t("The server's answer is over {0} KiB: not a new batch.", max);
    case 'credits':
      return vscode.l10n.t("The server's answer is over {0} KiB: not a credit count.", max);
    case 'verification':
      return vscode.l10n.t("The server's answer is over {0} KiB: not a verification result.", max);
    case undefined:
      return vscode.l10n.t("The server's answer is over {0} KiB: not what was asked for.", max);
  }
}
