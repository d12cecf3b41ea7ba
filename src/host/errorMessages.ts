import * as vscode from 'vscode';
import type { BadChar } from '../core/batchId';
import type { BatchInputProblem } from '../core/batchLink';
import { BouncerError } from '../core/errors';
import { invalidBodyText } from './invalidBodyText';
import { localBytes, localCount, localOneOf, localWait } from './units';

/** What the user can do next, offered as a button on an error message. */
export type ErrorAction = 'setApiKey' | 'retry' | 'waitForCompletion' | 'openSettings' | 'showLog' | 'openResults';

export interface UserMessage {
  text: string;
  actions: ErrorAction[];
  /** The setting "Open Settings" shows, when the message names one; otherwise all of Bouncer's. */
  setting?: string;
}

/**
 * One short sentence per failure, saying what happened and what to do next.
 * Details (HTTP status, server text, stack) go to the log, never here. Some of these strings
 * carry a batch ID or the server's words, which could hold the key (pasted as an ID, echoed
 * back): they are shown only through `ErrorReporter`, whose `Dialogs.showError` masks it.
 */
export function describeError(error: BouncerError, batchId: string | undefined): UserMessage {
  const id = batchId ?? '';
  switch (error.kind) {
    case 'invalidBatchId':
      return {
        text: vscode.l10n.t('That batch ID is not valid: {0}', invalidBatchIdText(error)),
        actions: ['openResults'],
      };
    case 'invalidArgument':
      return { text: vscode.l10n.t('The command argument is not valid: {0}', invalidArgumentText(error)), actions: [] };
    case 'invalidBaseUrl':
      return {
        text: vscode.l10n.t('The Bouncer API URL setting is not usable: {0}', baseUrlText(error)),
        actions: ['openSettings'],
        setting: 'bouncer.apiBaseUrl',
      };
    case 'unauthorized':
      return {
        text: vscode.l10n.t('Bouncer rejected the API key. Set a valid key and try again.'),
        actions: ['setApiKey'],
      };
    case 'paymentRequired':
      if (error.creditsMissing !== undefined) {
        return {
          text: vscode.l10n.t(
            'Your Bouncer account lacks {0} credits for this batch. Add credits in Bouncer, or verify fewer addresses, then try again.',
            localCount(error.creditsMissing),
          ),
          actions: ['retry'],
        };
      }
      return {
        text: vscode.l10n.t('Your Bouncer account is out of credits. Add credits in Bouncer, then try again.'),
        actions: ['retry'],
      };
    case 'notFound':
      return {
        text: vscode.l10n.t(
          'Batch {0} does not exist ({1}). Check the batch ID.',
          id,
          error.serverMessage ?? vscode.l10n.t('not found'),
        ),
        actions: ['openResults'],
      };
    case 'notCompleted':
      return {
        text: vscode.l10n.t('Batch {0} is not completed yet. Wait for it and download it when it is done?', id),
        actions: ['waitForCompletion'],
      };
    case 'cannotDelete':
      return {
        text: vscode.l10n.t(
          'Bouncer cannot delete batch {0} while it is processing it (HTTP 405 "cannot be deleted in current state"). Finish it now or wait until it completes, then delete it.',
          id,
        ),
        actions: ['waitForCompletion'],
      };
    case 'rejected':
      return {
        text: vscode.l10n.t('{0} Check the addresses and try again.', rejectedText(error)),
        actions: ['showLog'],
      };
    case 'rateLimited': {
      const wait = waitAsked(error);
      return {
        text: wait
          ? vscode.l10n.t(
              'Bouncer is limiting requests and asks to wait {0}. Try again after {1}.',
              wait.length,
              wait.until,
            )
          : vscode.l10n.t('Bouncer is limiting requests right now. Wait a minute and try again.'),
        actions: ['retry'],
      };
    }
    case 'serverError': {
      const wait = waitAsked(error);
      return {
        text: wait
          ? vscode.l10n.t('Bouncer is unavailable and asks to wait {0}. Try again after {1}.', wait.length, wait.until)
          : vscode.l10n.t('Bouncer answered with a server error several times. Try again later.'),
        actions: ['retry', 'showLog'],
      };
    }
    case 'httpError':
      return {
        text: vscode.l10n.t(
          'Bouncer answered with HTTP {0}. See the log for details.',
          String(error.httpStatus ?? '?'),
        ),
        actions: ['showLog'],
      };
    case 'network':
      return {
        text: vscode.l10n.t(
          'Could not reach Bouncer, or the connection broke. Nothing was saved; check the connection and try again.',
        ),
        actions: ['retry', 'showLog'],
      };
    case 'timeout':
      return {
        text: vscode.l10n.t(
          'Bouncer stopped sending data. Nothing was saved; try again, or raise "bouncer.requestTimeoutSeconds".',
        ),
        actions: ['retry', 'openSettings'],
        setting: 'bouncer.requestTimeoutSeconds',
      };
    case 'invalidBody':
      return {
        text: vscode.l10n.t(
          'The download of batch {0} was not valid results: {1} Nothing was saved.',
          id,
          invalidBodyText(error),
        ),
        actions: ['retry', 'showLog'],
      };
    case 'tooLarge':
      return {
        text: vscode.l10n.t(
          'The download of batch {0} was stopped: {1} Nothing was saved and earlier results were kept. If the results really are this large, raise "bouncer.download.maxSizeMB" and try again.',
          id,
          error.reason?.code === 'sizeLimit' ? sizeLimitText(error.reason) : error.message,
        ),
        actions: ['openSettings', 'retry'],
        setting: 'bouncer.download.maxSizeMB',
      };
    case 'cancelled':
      return { text: vscode.l10n.t('Cancelled.'), actions: [] };
  }
}

/**
 * Why typed or pasted text is not a batch ID, in the user's language: under the input box while
 * typing, and inside the "not valid" notification.
 */
export function batchInputProblemText(problem: BatchInputProblem): string {
  switch (problem.code) {
    case 'notText':
      return vscode.l10n.t('The batch ID must be text.');
    case 'empty':
      return vscode.l10n.t('Enter a batch ID.');
    case 'tooLong':
      return vscode.l10n.t('A batch ID is at most {0} characters long.', problem.max);
    case 'badChar':
      return vscode.l10n.t(
        'A batch ID may contain only letters A–Z, digits, "-" and "_" (found {0}).',
        badCharText(problem.found),
      );
    case 'badLink':
      return vscode.l10n.t('That link is not a valid URL. Paste the whole link, or type the batch ID.');
    case 'noIdInLink':
      return vscode.l10n.t(
        "That link holds no batch ID. Copy the link of the batch's page in Bouncer, or type its ID.",
      );
  }
}

function badCharText(found: BadChar): string {
  switch (found.kind) {
    case 'control':
      return vscode.l10n.t('a control character (U+{0})', found.codePoint);
    case 'space':
      return vscode.l10n.t('a space');
    case 'whitespace':
      return vscode.l10n.t('whitespace');
    case 'char':
      return vscode.l10n.t('"{0}"', found.char);
  }
}

function baseUrlText(error: BouncerError): string {
  switch (error.reason?.code) {
    case 'baseUrlNotUrl':
      return vscode.l10n.t('The API base URL is not a valid absolute URL.');
    case 'baseUrlScheme':
      return vscode.l10n.t('The API base URL must use https (got {0}).', error.reason.scheme);
    case 'baseUrlHttpRemote':
      return vscode.l10n.t('The API base URL must use https unless it points at this machine (localhost).');
    case 'baseUrlCredentials':
      return vscode.l10n.t('The API base URL must not contain a user name or password.');
    case 'baseUrlNotOrigin':
      return vscode.l10n.t('The API base URL must be an origin only, such as {0}.', 'https://api.usebouncer.com');
    default:
      return error.message;
  }
}

/**
 * Why an argument, or the list or file it names, is not usable, in the user's language. A reason
 * this does not know (or none: the host's own checks word their message already) shows `message`.
 */
function invalidArgumentText(error: BouncerError): string {
  const reason = error.reason;
  switch (reason?.code) {
    case 'argNotObject':
      return vscode.l10n.t('The command argument must be an object like {0}.', '{ batchId, filter }');
    case 'argNoBatchId':
      return vscode.l10n.t('The command argument needs a string "{0}".', 'batchId');
    case 'argNotOneOf':
      return vscode.l10n.t('The "{0}" must be {1}.', reason.field, localOneOf(reason.allowed));
    case 'argColumnsNotList':
      return vscode.l10n.t('"{0}" must be a non-empty list of result column names.', 'columns');
    case 'argUnknownColumns':
      return vscode.l10n.t(
        'Unknown result column {0}; use names such as {1}.',
        reason.unknown.map((id) => `"${id}"`).join(', '),
        reason.examples.join(', '),
      );
    case 'csvOpenQuote':
      return vscode.l10n.t('The CSV ends inside a quoted cell: a closing quote is missing.');
    case 'csvNoSuchColumn':
      return vscode.l10n.t('The CSV has no column "{0}". Its columns: {1}.', reason.column, reason.columns);
    case 'csvNoEmailColumn':
      return vscode.l10n.t(
        'No column of this CSV holds email addresses. Name the column "email", or pick it when asked.',
      );
    case 'jsonInvalid':
      return vscode.l10n.t('The JSON is not valid: {0}', reason.problem);
    case 'jsonNotArray':
      return vscode.l10n.t('The JSON must be an array of addresses, or of objects with "email".');
    case 'writeBackNoHeader':
      return vscode.l10n.t('The file is empty or its first line (the header) is blank.');
    case 'writeBackNoEmailColumn':
      return vscode.l10n.t(
        'No column of the file holds email addresses. Name the column "email" in the header line and try again.',
      );
    case 'noAddresses':
      return vscode.l10n.t('There are no addresses to verify.');
    case 'noAddress':
      return vscode.l10n.t('There is no address to verify.');
    case 'batchTooLarge':
      return vscode.l10n.t('A batch holds at most {0} addresses; split the list first.', localCount(reason.max));
    default:
      return error.message;
  }
}

/** What Bouncer refused with a 400, and its own words (which stay as the server sent them). */
function rejectedText(error: BouncerError): string {
  if (error.reason?.code !== 'refused') return error.message;
  const said = error.serverMessage ?? vscode.l10n.t('no reason given');
  switch (error.reason.call) {
    case 'create':
      return vscode.l10n.t('Bouncer refused the list as malformed (HTTP 400): {0}.', said);
    case 'finish':
      return vscode.l10n.t('Bouncer refused to finish the batch as malformed (HTTP 400): {0}.', said);
    case 'delete':
      return vscode.l10n.t('Bouncer refused to delete the batch as malformed (HTTP 400): {0}.', said);
    case 'verify':
      return vscode.l10n.t('Bouncer refused to verify the address as malformed (HTTP 400): {0}.', said);
  }
}

/**
 * Why an address is not one of a results document's, in the user's language: the batch ID's own
 * rules, or the part that is wrong. Anything else (not ours, or a code this does not know) shows its message.
 */
export function resultsUriProblemText(error: unknown): string {
  if (!(error instanceof BouncerError)) return error instanceof Error ? error.message : String(error);
  if (error.kind === 'invalidBatchId') return invalidBatchIdText(error);
  const reason = error.reason;
  switch (reason?.code) {
    case 'resultsUriScheme':
      return vscode.l10n.t('the scheme is not {0}.', reason.scheme);
    case 'resultsUriExtra':
      return vscode.l10n.t('it has a query or fragment.');
    case 'resultsUriPath':
      return vscode.l10n.t('the path is not "{0}".', reason.shape);
    case 'resultsUriOriginKey':
      return vscode.l10n.t('the origin key is not valid.');
    case 'resultsUriNotOneOf':
      return reason.part === 'filter'
        ? vscode.l10n.t('the filter is not one of {0}.', reason.allowed.join(', '))
        : vscode.l10n.t('the format is not {0}.', localOneOf(reason.allowed));
    default:
      return error.message;
  }
}

function invalidBatchIdText(error: BouncerError): string {
  const reason = error.reason;
  switch (reason?.code) {
    case 'apiKeyAsBatchId':
      return vscode.l10n.t('That is your API key, not a batch ID. Paste the batch ID instead.');
    case 'notText':
    case 'empty':
    case 'tooLong':
    case 'badChar':
    case 'badLink':
    case 'noIdInLink':
      return batchInputProblemText(reason);
    default:
      return error.message;
  }
}

function sizeLimitText(reason: { limitBytes: number; encoded: boolean }): string {
  const limit = localBytes(reason.limitBytes);
  return reason.encoded
    ? vscode.l10n.t('The compressed download expands to more than the {0} download size limit.', limit)
    : vscode.l10n.t('The download is larger than the {0} download size limit.', limit);
}

/** How long the server asked to wait (its Retry-After), and until when on the user's clock. */
function waitAsked(error: BouncerError): { length: string; until: string } | undefined {
  if (error.retryAt === undefined) return undefined;
  return { length: localWait(error.retryAt - Date.now()), until: localClock(error.retryAt) };
}

/** The wall-clock time to come back, in the user's locale; with the date when it is not today. */
function localClock(at: number): string {
  // Rounded up: the clock shows minutes, and "after 14:04" for 14:04:30 would send them back too early.
  const date = new Date(Math.ceil(at / 60_000) * 60_000);
  const time = date.toLocaleTimeString(vscode.env.language, { hour: '2-digit', minute: '2-digit' });
  return date.toDateString() === new Date().toDateString()
    ? time
    : `${date.toLocaleDateString(vscode.env.language)} ${time}`;
}

/** A failure that is not the API's or the download's: a bug, or a file or editor that failed. */
export function describeUnexpected(error: unknown, batchId: string | undefined): UserMessage {
  const reason = error instanceof Error ? error.message : String(error);
  return {
    text: batchId
      ? vscode.l10n.t('Bouncer Results failed on batch {0}: {1}', batchId, reason)
      : vscode.l10n.t('Bouncer Results failed: {0}', reason),
    actions: ['retry', 'showLog'],
  };
}

export function actionLabel(action: ErrorAction): string {
  switch (action) {
    case 'setApiKey':
      return vscode.l10n.t('Set API Key');
    case 'retry':
      return vscode.l10n.t('Retry');
    case 'waitForCompletion':
      return vscode.l10n.t('Wait for It');
    case 'openSettings':
      return vscode.l10n.t('Open Settings');
    case 'showLog':
      return vscode.l10n.t('Show Log');
    case 'openResults':
      return vscode.l10n.t('Open Batch Results…');
  }
}
