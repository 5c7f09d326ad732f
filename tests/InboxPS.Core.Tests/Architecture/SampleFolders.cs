// A tiny assembly-within-the-assembly for TypeReferenceReaderTests: the Engine folder uses the Protocol folder in
// each of the ways code can hide a use (a method body, a lambda, an async method, a catch, a generic argument, an
// attribute), and Kernel uses nothing.
namespace InboxPS.Core.Tests.Architecture.Sample.Protocol
{
    internal sealed class Client
    {
        public int Send() => 1;
    }

    internal sealed class Fault : Exception
    {
    }

    [AttributeUsage(AttributeTargets.Class)]
    internal sealed class MarkerAttribute : Attribute
    {
    }
}

namespace InboxPS.Core.Tests.Architecture.Sample.Kernel
{
    internal sealed class UsesNothing
    {
        public int Run() => 1;
    }
}

namespace InboxPS.Core.Tests.Architecture.Sample.Engine
{
    using InboxPS.Core.Tests.Architecture.Sample.Protocol;

    internal sealed class UsesInBody
    {
        public object Run() => new Client();
    }

    internal sealed class UsesInLambda
    {
        public Func<int> Run() => () => new Client().Send();
    }

    internal sealed class UsesInAsync
    {
        public async Task<int> RunAsync()
        {
            await Task.Yield();
            return new Client().Send();
        }
    }

    internal sealed class UsesInCatch
    {
        public int Run(Func<int> work)
        {
            try
            {
                return work();
            }
            catch (Fault)
            {
                return 0;
            }
        }
    }

    internal sealed class UsesInGenericArgument
    {
        public int Count(IEnumerable<List<Client>> batches) => batches.Count();
    }

    [Marker]
    internal sealed class UsesInAttribute
    {
    }
}
