using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace InboxPS.Core.Tests.Architecture;

/// <summary>A type of the assembly that uses another type: <see cref="Target"/> is a namespace-qualified name.</summary>
public sealed record TypeUse(string Source, string SourceNamespace, string Target, string TargetNamespace, string TargetAssembly);

/// <summary>
/// Reads every type an assembly's types use, from its metadata rather than its source: base types, interfaces, field,
/// method, property and event signatures, generic constraints, attributes, and the IL of method bodies (calls, field
/// accesses, casts, locals, catch clauses). Nested and compiler-generated types (lambdas, async state machines) count
/// as part of the type that declares them.
/// </summary>
public static class TypeReferenceReader
{
    private static readonly Dictionary<short, OperandType> s_operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    public static IReadOnlyList<TypeUse> Read(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var ownAssembly = metadata.GetString(metadata.GetAssemblyDefinition().Name);
        var uses = new List<TypeUse>();
        foreach (var handle in metadata.TypeDefinitions)
        {
            var outer = Outermost(metadata, handle);
            var source = new Collector(metadata, ownAssembly);
            CollectFrom(metadata, pe, handle, source);
            var sourceName = FullName(metadata, outer);
            var sourceNamespace = metadata.GetString(metadata.GetTypeDefinition(outer).Namespace);
            foreach (var target in source.Found.Distinct())
            {
                uses.Add(new TypeUse(sourceName, sourceNamespace, target.Name, target.Namespace, target.Assembly));
            }
        }

        return uses;
    }

    private static void CollectFrom(MetadataReader metadata, PEReader pe, TypeDefinitionHandle handle, Collector found)
    {
        var type = metadata.GetTypeDefinition(handle);
        found.Add(type.BaseType);
        foreach (var implementation in type.GetInterfaceImplementations())
        {
            found.Add(metadata.GetInterfaceImplementation(implementation).Interface);
        }

        found.AddAttributes(type.GetCustomAttributes());
        found.AddGenericParameters(type.GetGenericParameters());
        foreach (var fieldHandle in type.GetFields())
        {
            var field = metadata.GetFieldDefinition(fieldHandle);
            found.AddTypes(field.DecodeSignature(found, null));
            found.AddAttributes(field.GetCustomAttributes());
        }

        foreach (var propertyHandle in type.GetProperties())
        {
            var property = metadata.GetPropertyDefinition(propertyHandle);
            found.AddSignature(property.DecodeSignature(found, null));
            found.AddAttributes(property.GetCustomAttributes());
        }

        foreach (var eventHandle in type.GetEvents())
        {
            var @event = metadata.GetEventDefinition(eventHandle);
            found.Add(@event.Type);
            found.AddAttributes(@event.GetCustomAttributes());
        }

        foreach (var methodHandle in type.GetMethods())
        {
            var method = metadata.GetMethodDefinition(methodHandle);
            found.AddSignature(method.DecodeSignature(found, null));
            found.AddAttributes(method.GetCustomAttributes());
            found.AddGenericParameters(method.GetGenericParameters());
            foreach (var parameter in method.GetParameters())
            {
                found.AddAttributes(metadata.GetParameter(parameter).GetCustomAttributes());
            }

            if (method.RelativeVirtualAddress != 0)
            {
                ReadBody(metadata, pe.GetMethodBody(method.RelativeVirtualAddress), found);
            }
        }
    }

    private static void ReadBody(MetadataReader metadata, MethodBodyBlock body, Collector found)
    {
        if (!body.LocalSignature.IsNil)
        {
            found.AddTypes(metadata.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(found, null));
        }

        foreach (var region in body.ExceptionRegions)
        {
            found.Add(region.CatchType);
        }

        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            short value = il.ReadByte();
            if (value == 0xFE)
            {
                value = unchecked((short)(0xFE00 | il.ReadByte()));
            }

            if (!s_operands.TryGetValue(value, out var operand))
            {
                throw new InvalidOperationException($"IL opcode 0x{value:X} at offset {il.Offset - 1} is unknown: the reader lost its place.");
            }

            switch (operand)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.InlineSwitch:
                    var targets = il.ReadInt32(); // read first: "Offset += 4 * ReadInt32()" would add to the offset before the read
                    il.Offset += 4 * targets;
                    break;
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType or OperandType.InlineSig:
                    found.AddToken(il.ReadInt32());
                    break;
                default:
                    il.Offset += 4; // InlineI, InlineBrTarget, InlineString, ShortInlineR
                    break;
            }
        }
    }

    private static TypeDefinitionHandle Outermost(MetadataReader metadata, TypeDefinitionHandle handle)
    {
        while (metadata.GetTypeDefinition(handle).GetDeclaringType() is { IsNil: false } declaring)
        {
            handle = declaring;
        }

        return handle;
    }

    private static string FullName(MetadataReader metadata, TypeDefinitionHandle handle)
    {
        var type = metadata.GetTypeDefinition(handle);
        var ns = metadata.GetString(type.Namespace);
        var name = metadata.GetString(type.Name);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    private readonly record struct Target(string Name, string Namespace, string Assembly);

    /// <summary>Collects targets; doubles as the signature provider, whose "type" is the list of types a signature names.</summary>
    private sealed class Collector : ISignatureTypeProvider<ImmutableArray<Target>, object?>
    {
        private readonly MetadataReader _metadata;
        private readonly string _ownAssembly;

        public Collector(MetadataReader metadata, string ownAssembly)
        {
            _metadata = metadata;
            _ownAssembly = ownAssembly;
        }

        public List<Target> Found { get; } = new();

        public void AddTypes(ImmutableArray<Target> targets) => Found.AddRange(targets);

        public void AddTypes(ImmutableArray<ImmutableArray<Target>> targets)
        {
            foreach (var t in targets)
            {
                Found.AddRange(t);
            }
        }

        public void AddSignature(MethodSignature<ImmutableArray<Target>> signature)
        {
            Found.AddRange(signature.ReturnType);
            AddTypes(signature.ParameterTypes);
        }

        public void Add(EntityHandle handle)
        {
            if (!handle.IsNil)
            {
                Found.AddRange(Resolve(handle));
            }
        }

        public void AddToken(int token) => Add(MetadataTokens.EntityHandle(token));

        public void AddAttributes(CustomAttributeHandleCollection attributes)
        {
            foreach (var attribute in attributes)
            {
                Add(_metadata.GetCustomAttribute(attribute).Constructor);
            }
        }

        public void AddGenericParameters(GenericParameterHandleCollection parameters)
        {
            foreach (var parameter in parameters)
            {
                foreach (var constraint in _metadata.GetGenericParameter(parameter).GetConstraints())
                {
                    Add(_metadata.GetGenericParameterConstraint(constraint).Type);
                }
            }
        }

        private ImmutableArray<Target> Resolve(EntityHandle handle)
        {
            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    return GetTypeFromDefinition(_metadata, (TypeDefinitionHandle)handle, 0);
                case HandleKind.TypeReference:
                    return GetTypeFromReference(_metadata, (TypeReferenceHandle)handle, 0);
                case HandleKind.TypeSpecification:
                    return _metadata.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null);
                case HandleKind.MethodDefinition:
                    return Resolve(_metadata.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType());
                case HandleKind.FieldDefinition:
                    return Resolve(_metadata.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                case HandleKind.MethodSpecification:
                    var specification = _metadata.GetMethodSpecification((MethodSpecificationHandle)handle);
                    return Resolve(specification.Method).AddRange(specification.DecodeSignature(this, null).SelectMany(t => t));
                case HandleKind.MemberReference:
                    var member = _metadata.GetMemberReference((MemberReferenceHandle)handle);
                    var parent = member.Parent.Kind == HandleKind.ModuleReference ? ImmutableArray<Target>.Empty : Resolve(member.Parent);
                    return member.GetKind() == MemberReferenceKind.Method
                        ? parent.AddRange(Flatten(member.DecodeMethodSignature(this, null)))
                        : parent.AddRange(member.DecodeFieldSignature(this, null));
                case HandleKind.StandaloneSignature:
                    var standalone = _metadata.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                    return standalone.GetKind() == StandaloneSignatureKind.Method
                        ? Flatten(standalone.DecodeMethodSignature(this, null))
                        : standalone.DecodeLocalSignature(this, null).SelectMany(t => t).ToImmutableArray();
                default:
                    return ImmutableArray<Target>.Empty;
            }
        }

        private static ImmutableArray<Target> Flatten(MethodSignature<ImmutableArray<Target>> signature) =>
            signature.ReturnType.AddRange(signature.ParameterTypes.SelectMany(t => t));

        public ImmutableArray<Target> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            var outer = Outermost(reader, handle);
            return ImmutableArray.Create(new Target(FullName(reader, outer),
                reader.GetString(reader.GetTypeDefinition(outer).Namespace), _ownAssembly));
        }

        public ImmutableArray<Target> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        {
            var reference = reader.GetTypeReference(handle);
            while (reference.ResolutionScope.Kind == HandleKind.TypeReference)
            {
                reference = reader.GetTypeReference((TypeReferenceHandle)reference.ResolutionScope);
            }

            var ns = reader.GetString(reference.Namespace);
            var name = reader.GetString(reference.Name);
            var assembly = reference.ResolutionScope.Kind == HandleKind.AssemblyReference
                ? reader.GetString(reader.GetAssemblyReference((AssemblyReferenceHandle)reference.ResolutionScope).Name)
                : _ownAssembly;
            return ImmutableArray.Create(new Target(ns.Length == 0 ? name : ns + "." + name, ns, assembly));
        }

        public ImmutableArray<Target> GetTypeFromSpecification(MetadataReader reader, object? context, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, context);

        public ImmutableArray<Target> GetPrimitiveType(PrimitiveTypeCode typeCode) => ImmutableArray<Target>.Empty;

        public ImmutableArray<Target> GetSZArrayType(ImmutableArray<Target> elementType) => elementType;

        public ImmutableArray<Target> GetArrayType(ImmutableArray<Target> elementType, ArrayShape shape) => elementType;

        public ImmutableArray<Target> GetByReferenceType(ImmutableArray<Target> elementType) => elementType;

        public ImmutableArray<Target> GetPointerType(ImmutableArray<Target> elementType) => elementType;

        public ImmutableArray<Target> GetPinnedType(ImmutableArray<Target> elementType) => elementType;

        public ImmutableArray<Target> GetModifiedType(ImmutableArray<Target> modifier, ImmutableArray<Target> unmodifiedType, bool isRequired) =>
            modifier.AddRange(unmodifiedType);

        public ImmutableArray<Target> GetGenericInstantiation(ImmutableArray<Target> genericType, ImmutableArray<ImmutableArray<Target>> typeArguments) =>
            genericType.AddRange(typeArguments.SelectMany(t => t));

        public ImmutableArray<Target> GetGenericMethodParameter(object? context, int index) => ImmutableArray<Target>.Empty;

        public ImmutableArray<Target> GetGenericTypeParameter(object? context, int index) => ImmutableArray<Target>.Empty;

        public ImmutableArray<Target> GetFunctionPointerType(MethodSignature<ImmutableArray<Target>> signature) => Flatten(signature);
    }
}
