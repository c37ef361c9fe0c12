# jsub.py ROOT N FILES: frames called under ROOT (the frame right below it and leaf), merged
import re,collections,sys,subprocess
root=sys.argv[1]; N=int(sys.argv[2]); tot=0; below=collections.Counter(); leaf=collections.Counter(); under=collections.Counter()
for fn in sys.argv[3:]:
  txt=subprocess.run(['jfr','print','--stack-depth','128','--events','jdk.ExecutionSample',fn],capture_output=True,text=True).stdout
  for e in txt.split('jdk.ExecutionSample')[1:]:
    frames=[f.split('(')[0] for f in re.findall(r'^\s+([\w\.$<>]+\([^)]*\))\s+line:',e,re.M)]
    if root not in frames: continue
    tot+=1; i=frames.index(root)
    if i>0: below[frames[i-1]]+=1
    leaf[frames[0]]+=1
    for f in set(frames[:i]): under[f]+=1
print('samples under',root,tot)
for f,k in below.most_common(N): print('  direct %4d %s'%(k,f))
for f,k in under.most_common(2*N): print('  incl %4d %s'%(k,f))
