using System;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core.Ews.Transport;

internal static class Cancellation
{
    /// <summary>
    /// Awaits <paramref name="task"/> but gives up as soon as <paramref name="cancellation"/> fires, even if the task
    /// itself ignores the token: a server (or handler) that never answers must not hang a worker. An abandoned task's
    /// result is handed to <paramref name="onAbandoned"/> if it arrives later, and its failure is observed.
    /// </summary>
    public static async Task<T> WhenCompletedOrCancelled<T>(Task<T> task, CancellationToken cancellation, Action<T>? onAbandoned)
    {
        if (task.IsCompleted || !cancellation.CanBeCanceled)
        {
            return await task.ConfigureAwait(false);
        }

        var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellation.Register(() => cancelled.TrySetResult(true)))
        {
            if (await Task.WhenAny(task, cancelled.Task).ConfigureAwait(false) != task)
            {
                _ = task.ContinueWith(
                    t =>
                    {
                        if (t.Status == TaskStatus.RanToCompletion)
                        {
                            onAbandoned?.Invoke(t.Result);
                        }
                        else
                        {
                            _ = t.Exception;
                        }
                    },
                    CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                throw new OperationCanceledException(cancellation);
            }
        }

        return await task.ConfigureAwait(false);
    }
}
