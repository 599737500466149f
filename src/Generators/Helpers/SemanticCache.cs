using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace AgentQuotas.Generators.Helpers
{
    /// <summary>
    /// Keeps the generator's semantic transforms from re-binding the whole project after every keystroke.
    /// </summary>
    /// <remarks>
    /// Roslyn re-runs the transform of <c>CreateSyntaxProvider</c> and <c>ForAttributeWithMetadataName</c> for
    /// every matching node of every file whenever the compilation changes, because the semantic model is new
    /// (its outputs are then compared, so later steps are cached, but the binding has been paid for). On a
    /// project of 20,000 call sites that made an incremental run cost 86-91% of a cold one.
    /// <para>
    /// What a transform computes for a node depends on the node's own file and on the declarations it binds
    /// against: signatures, attributes, types, in any file or reference, never another file's method
    /// bodies. So a result stays valid while (a) its file is the same <see cref="SyntaxTree"/> and (b) the
    /// compilation's <see cref="DeclarationVersion"/> is equal: the same references, options and assembly
    /// name, and every file the same outside its method, accessor, constructor and operator bodies (the
    /// "skeleton"). An edit inside a body changes only its own file, whose nodes are computed again; every
    /// other file's results are reused. An edit anywhere else (a signature, an attribute, a field, a using,
    /// a file added or removed, a reference) changes the version, and everything is computed again, as
    /// before. A result that carries a location in another file (a diagnostic on a tool's declaration,
    /// whose position an edit in that file's bodies could move) is never reused.
    /// </para>
    /// </remarks>
    internal static class SemanticCache
    {
        private static readonly ConditionalWeakTable<Compilation, DeclarationVersion> Versions = new();
        private static readonly ConditionalWeakTable<SyntaxTree, Skeleton> Skeletons = new();
        private static ConditionalWeakTable<SyntaxTree, TreeResults> s_results = new();

        /// <summary>
        /// The result of <paramref name="compute"/> for <paramref name="node"/>, reused from an earlier compilation
        /// when the node's file and the declaration version are the same. <paramref name="step"/> tells apart the
        /// transforms that run on one node; <paramref name="reusable"/> says whether a result may be reused.
        /// </summary>
        public static T GetOrCompute<T>(string step, SyntaxNode node, Compilation compilation, Func<T> compute, Func<T, string, bool> reusable)
        {
            SyntaxTree tree = node.SyntaxTree;
            DeclarationVersion version = VersionOf(compilation);
            TreeResults results = Volatile.Read(ref s_results).GetValue(tree, static _ => new TreeResults());
            var key = new NodeKey(step, node.SpanStart, node.Span.Length, node.RawKind);
            ConcurrentDictionary<NodeKey, Boxed> values = results.For(version);
            if (values.TryGetValue(key, out Boxed? found))
            {
                return (T)found.Value!;
            }

            T value = compute();
            results.CountComputed();
            if (reusable(value, tree.FilePath))
            {
                values.TryAdd(key, new Boxed(value));
            }

            return value;
        }

        /// <summary>How many times a transform has computed (not reused) a result for a node of <paramref name="tree"/>, for tests.</summary>
        internal static int ComputedFor(SyntaxTree tree) => Volatile.Read(ref s_results).TryGetValue(tree, out TreeResults? r) ? r.Computed : 0;

        /// <summary>Forgets every kept result, so the next run binds everything (the cold-run benchmark calls it).</summary>
        internal static void Clear() => Volatile.Write(ref s_results, new ConditionalWeakTable<SyntaxTree, TreeResults>());

        /// <summary>The declaration version of <paramref name="compilation"/>, computed once per compilation.</summary>
        internal static DeclarationVersion VersionOf(Compilation compilation) =>
            Versions.GetValue(compilation, static c => DeclarationVersion.Of(c));

        /// <summary>The skeleton hash of one file (its text outside bodies), computed once per tree.</summary>
        internal static Skeleton SkeletonOf(SyntaxTree tree) => Skeletons.GetValue(tree, static t => Skeleton.Of(t));

        /// <summary>The results computed for one file under one declaration version; a new version starts afresh.</summary>
        private sealed class TreeResults
        {
            private readonly object _gate = new();
            private DeclarationVersion? _version;
            private ConcurrentDictionary<NodeKey, Boxed>? _values;
            private int _computed;

            public int Computed => Volatile.Read(ref _computed);

            public void CountComputed() => Interlocked.Increment(ref _computed);

            public ConcurrentDictionary<NodeKey, Boxed> For(DeclarationVersion version)
            {
                lock (_gate)
                {
                    if (_values is null || _version is null || !_version.Equals(version))
                    {
                        _version = version;
                        _values = new ConcurrentDictionary<NodeKey, Boxed>();
                    }

                    return _values;
                }
            }
        }

        private readonly struct NodeKey : IEquatable<NodeKey>
        {
            private readonly string _step;
            private readonly int _start;
            private readonly int _length;
            private readonly int _kind;

            public NodeKey(string step, int start, int length, int kind)
            {
                _step = step;
                _start = start;
                _length = length;
                _kind = kind;
            }

            public bool Equals(NodeKey other) => _start == other._start && _length == other._length && _kind == other._kind && string.Equals(_step, other._step, StringComparison.Ordinal);

            public override bool Equals(object? obj) => obj is NodeKey other && Equals(other);

            public override int GetHashCode() => unchecked((((_start * 397) ^ _length) * 397) ^ _kind ^ StringComparer.Ordinal.GetHashCode(_step));
        }

        private sealed class Boxed
        {
            public Boxed(object? value)
            {
                Value = value;
            }

            public object? Value { get; }
        }

        /// <summary>A file's text outside its bodies, as two independent 64-bit hashes and a length.</summary>
        internal sealed class Skeleton : IEquatable<Skeleton>
        {
            private readonly ulong _a;
            private readonly ulong _b;
            private readonly long _length;

            private Skeleton(ulong a, ulong b, long length)
            {
                _a = a;
                _b = b;
                _length = length;
            }

            public bool Equals(Skeleton? other) => other is not null && _a == other._a && _b == other._b && _length == other._length;

            public override bool Equals(object? obj) => Equals(obj as Skeleton);

            public override int GetHashCode() => unchecked((int)_a ^ (int)(_b >> 32));

            /// <summary>Hashes the tree's text, skipping every body whose contents no other file can see.</summary>
            public static Skeleton Of(SyntaxTree tree)
            {
                SourceText text = tree.GetText();
                SyntaxNode root = tree.GetRoot();
                var hash = new Hasher();
                int position = 0;
                foreach (TextSpan body in Bodies(root))
                {
                    hash.Add(text, TextSpan.FromBounds(position, body.Start));
                    hash.AddSeparator();
                    position = body.End;
                }

                hash.Add(text, TextSpan.FromBounds(position, text.Length));
                hash.AddText(tree.FilePath);
                hash.AddText(tree.Options is CSharpParseOptions options ? string.Join(",", options.PreprocessorSymbolNames) + "|" + options.LanguageVersion : string.Empty);
                return new Skeleton(hash.A, hash.B, hash.Length);
            }

            // Block and expression bodies of methods, constructors, destructors, operators, conversions and
            // accessors, and of properties and indexers written as `=> expression`. Nothing outside a member can
            // see what is declared or inferred in them. Bodies are visited in text order and never nested.
            private static IEnumerable<TextSpan> Bodies(SyntaxNode root)
            {
                foreach (SyntaxNode node in root.DescendantNodes(static n => !IsBody(n)))
                {
                    if (IsBody(node))
                    {
                        yield return node.Span;
                    }
                }
            }

            private static bool IsBody(SyntaxNode node) =>
                (node is BlockSyntax && node.Parent is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax)
                || (node is ArrowExpressionClauseSyntax && node.Parent is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or BasePropertyDeclarationSyntax);
        }

        /// <summary>
        /// What every file's results are valid for: the same references (as objects), options, assembly name
        /// and set of files, each with the same skeleton.
        /// </summary>
        internal sealed class DeclarationVersion : IEquatable<DeclarationVersion>
        {
            private readonly ImmutableArray<MetadataReference> _references;
            private readonly CompilationOptions _options;
            private readonly string? _assemblyName;
            private readonly ImmutableArray<Skeleton> _files;
            private readonly int _hash;

            private DeclarationVersion(ImmutableArray<MetadataReference> references, CompilationOptions options, string? assemblyName, ImmutableArray<Skeleton> files)
            {
                _references = references;
                _options = options;
                _assemblyName = assemblyName;
                _files = files;
                int hash = files.Length;
                foreach (Skeleton file in files)
                {
                    hash = unchecked((hash * 31) + file.GetHashCode());
                }

                _hash = hash;
            }

            public static DeclarationVersion Of(Compilation compilation) => new(
                compilation.References.ToImmutableArray(),
                compilation.Options,
                compilation.AssemblyName,
                compilation.SyntaxTrees.Select(SkeletonOf).ToImmutableArray()); // in the compilation's order: a reordering counts as a change

            public bool Equals(DeclarationVersion? other) =>
                other is not null
                && (ReferenceEquals(this, other)
                    || (_hash == other._hash
                        && ReferenceEquals(_options, other._options)
                        && string.Equals(_assemblyName, other._assemblyName, StringComparison.Ordinal)
                        && _files.SequenceEqual(other._files)
                        && _references.SequenceEqual(other._references, ReferenceEqualityComparer.Instance)));

            public override bool Equals(object? obj) => Equals(obj as DeclarationVersion);

            public override int GetHashCode() => _hash;
        }

        private sealed class ReferenceEqualityComparer : IEqualityComparer<MetadataReference>
        {
            public static readonly ReferenceEqualityComparer Instance = new();

            public bool Equals(MetadataReference? x, MetadataReference? y) => ReferenceEquals(x, y);

            public int GetHashCode(MetadataReference obj) => RuntimeHelpers.GetHashCode(obj);
        }

        /// <summary>Two FNV-1a style 64-bit hashes with different primes and offsets, fed the same characters.</summary>
        private struct Hasher
        {
            private ulong _a;
            private ulong _b;
            private long _length;
            private char[]? _buffer;

            public ulong A => _length == 0 ? 14695981039346656037UL : _a;

            public ulong B => _length == 0 ? 0x9E3779B97F4A7C15UL : _b;

            public long Length => _length;

            public void Add(SourceText text, TextSpan span)
            {
                _buffer ??= new char[4096];
                for (int start = span.Start; start < span.End; start += _buffer.Length)
                {
                    int count = Math.Min(_buffer.Length, span.End - start);
                    text.CopyTo(start, _buffer, 0, count);
                    for (int i = 0; i < count; i++)
                    {
                        Add(_buffer[i]);
                    }
                }
            }

            public void AddText(string value)
            {
                AddSeparator();
                foreach (char c in value)
                {
                    Add(c);
                }
            }

            public void AddSeparator() => Add('\uFFFF');

            private void Add(char c)
            {
                if (_length == 0)
                {
                    _a = 14695981039346656037UL;
                    _b = 0x9E3779B97F4A7C15UL;
                }

                _a = unchecked((_a ^ c) * 1099511628211UL);
                _b = unchecked(((_b ^ c) * 0x9E3779B97F4A7C15UL) + 0x632BE59BD9B4E019UL);
                _length++;
            }
        }
    }
}
